-- wrk script: each request takes the next "Header: value<TAB>path" line of
-- the file named by WRK_PATHS (a different signed-in reader each time: a
-- session cookie for pages, a bearer token for the API; the header may be
-- empty), and done() prints one JSON line the runner parses.
local lines = {}
local file = assert(io.open(os.getenv("WRK_PATHS"), "r"))
for line in file:lines() do
  local header, path = line:match("^([^\t]*)\t(.*)$")
  local name, value = header:match("^([^:]+): (.*)$")
  table.insert(lines, {name = name, value = value, path = path})
end
file:close()

local counter = 0
local thread_offset = 0
local threads = {}

function setup(thread)
  thread:set("thread_offset", #threads * 7919)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local item = lines[((counter + thread_offset) % #lines) + 1]
  local headers = {}
  if item.name then headers[item.name] = item.value end
  return wrk.format("GET", item.path, headers)
end

function done(summary, latency, requests)
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, ' ..
    '"p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "mean_ms": %.3f, "max_ms": %.3f}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, latency.max / 1000))
end
