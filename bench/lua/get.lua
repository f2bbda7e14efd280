-- GET registered-models/get over the seeded models model-000001 .. model-<count>, spread across threads.
-- thread_id is a per-thread global set by setup().
local threads = 0
local count, counter, base = 100000, 0, ""

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  count = tonumber(args[1]) or count
  base = wrk.path
  counter = thread_id * 7919
end

function request()
  counter = counter + 1
  return wrk.format("GET", string.format("%s?name=model-%06d", base, (counter % count) + 1))
end
