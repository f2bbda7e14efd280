-- POST runs/search in the experiment given as the script's argument (2000000: 100,000 runs; 2100000: 1,000,000):
-- metrics.loss < 0.1 AND params.lr = '0.01', ordered by the metric, a page of 100.
local body

function init(args)
  wrk.headers["Content-Type"] = "application/json"
  body = string.format('{"experiment_ids":["%s"],"filter":"metrics.loss < 0.1 and params.lr = \'0.01\'","order_by":["metrics.loss ASC"],"max_results":100}',
    args[1] or "2000000")
end

function request()
  return wrk.format("POST", nil, nil, body)
end
