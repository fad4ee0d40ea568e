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

-- wrk runs each thread's init() before starting the next thread, so the first thread is already
-- loading the server while the others read their requests: reading must be quick. A plain find
-- splits ~100 MB in a fraction of a second where a pattern match took ~2 s of a core per thread
-- (time the server shared its CPU with wrk, counted in the results).
function init(args)
  nthreads = tonumber(args[2]) or 1
  local f = assert(io.open(args[1], "r"))
  local data = f:read("*a")
  f:close()
  local separator = "\n@@@@\n"
  local pos, count = 1, 0
  while pos <= #data do
    local s, e = data:find(separator, pos, true)
    if not s then s, e = #data + 1, #data end
    if count % nthreads == id then requests[#requests + 1] = data:sub(pos, s - 1) end
    count = count + 1
    pos = e + 1
  end
  prepared = count
end

function request()
  sent = sent + 1
  return requests[((sent - 1) % #requests) + 1]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d errors=%d non2xx=%d prepared=%d p50=%.3f p90=%.3f p99=%.3f max=%.3f\n",
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status, threads[1]:get("prepared"),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
