-- POST registered-models/create with a unique name per request and two tags.
-- thread_id is a per-thread global set by setup(); run comes from the script arguments.
local threads = 0
local run, counter = "run", 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  run = args[1] or tostring(os.time())
  -- wrk.format replaces (not merges) wrk.headers when given a table, so add to it instead.
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"name":"bench-%s-%d-%d","tags":[{"key":"team","value":"ml"},{"key":"stage","value":"dev"}]}',
    run, thread_id, counter)
  return wrk.format("POST", nil, nil, body)
end
