-- POST runs/log-batch with 1000 metrics (one key) to the run given as the script's argument. Every point is new:
-- steps increase per request and each wrk thread has its own timestamp, so no point repeats another.
local threads = 0
local run, counter = "00000000000000000000000000000002", 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  run = args[1] or run
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local metrics = {}
  for i = 1, 1000 do
    metrics[i] = string.format('{"key":"loss","value":%f,"timestamp":%d,"step":%d}', 1 / i, 1700000000000 + thread_id, counter * 1000 + i)
  end
  return wrk.format("POST", nil, nil, '{"run_id":"' .. run .. '","metrics":[' .. table.concat(metrics, ",") .. ']}')
end
