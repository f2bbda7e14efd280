-- POST runs/search: 100,000 runs, metrics.loss < 0.1 AND params.lr = '0.01', ordered by the metric, a page of 100.
function init(args)
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  return wrk.format("POST", nil, nil,
    '{"experiment_ids":["2000000"],"filter":"metrics.loss < 0.1 and params.lr = \'0.01\'","order_by":["metrics.loss ASC"],"max_results":100}')
end
