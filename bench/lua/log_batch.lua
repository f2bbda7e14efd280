-- POST runs/log-batch with 1000 metrics (one key, steps increasing per request) to the seeded 'batch' run.
local counter = 0

function init(args)
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local metrics = {}
  for i = 1, 1000 do
    metrics[i] = string.format('{"key":"loss","value":%f,"timestamp":1700000000000,"step":%d}', 1 / i, counter * 1000 + i)
  end
  local body = '{"run_id":"00000000000000000000000000000002","metrics":[' .. table.concat(metrics, ",") .. ']}'
  return wrk.format("POST", nil, nil, body)
end
