-- wrk script: signed-in readers post tweets through the compose form
-- (htmx request, CSRF token in cookie and header), one JSON line at the end.
local lines = {}
local file = assert(io.open(os.getenv("WRK_PATHS"), "r"))
for line in file:lines() do
  local cookie = line:match("^Cookie: ([^\t]*)\t")
  table.insert(lines, cookie)
end
file:close()

local token = os.getenv("WRK_CSRF")
local counter = 0

function request()
  counter = counter + 1
  local cookie = lines[(counter % #lines) + 1] .. "; csrftoken=" .. token
  local body = "text=bench+tweet+number+" .. counter .. "+%23bench"
  return wrk.format("POST", "/compose/", {
    ["Cookie"] = cookie,
    ["X-CSRFToken"] = token,
    ["HX-Request"] = "true",
    ["Referer"] = "http://127.0.0.1/",
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
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
