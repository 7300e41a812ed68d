-- GET /count, rotating the cookies of the file named after `--` (one `name=value` a line);
-- with no file, no cookie. done() prints one machine-readable line for run-http.
local requests = {}
local next_index = 0

function init(args)
  if args[1] then
    for cookie in io.lines(args[1]) do
      requests[#requests + 1] = wrk.format("GET", "/count", { ["Cookie"] = cookie })
    end
  end
  if #requests == 0 then requests[1] = wrk.format("GET", "/count") end
  next_index = math.random(#requests) - 1
end

function request()
  next_index = next_index % #requests + 1
  return requests[next_index]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d errors=%d non2xx=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
