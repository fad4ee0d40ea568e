-- wrk script: replays requests prepared in a file (raw HTTP/1.1 requests separated by a line
-- "@@@@"), each once, in order, and prints the figures bench/wrk.ts reads.
local requests = {}
local sent = 0
local threads = {}
-- The threads share out the requests instead of each replaying all of them: thread `id`
-- (0-based, set by setup) of `nthreads` (the script's second argument) sends every nthreads-th.
id = 0
local nthreads = 1

-- setup() and done() run in the main Lua state; the threads' own states hold the counts.
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(args[1], "r"))
  local data = f:read("*a")
  f:close()
  for r in (data .. "\n@@@@\n"):gmatch("(.-)\n@@@@\n") do
    requests[#requests + 1] = r
  end
  prepared = #requests
  nthreads = tonumber(args[2]) or 1
end

function request()
  local i = sent * nthreads + id
  sent = sent + 1
  return requests[(i % #requests) + 1]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d errors=%d non2xx=%d prepared=%d p50=%.3f p90=%.3f p99=%.3f max=%.3f\n",
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status, threads[1]:get("prepared"),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
