-- wrk script: POST /v1/availability/query with a random body from the file named by the BODIES environment variable
-- (one JSON body per line, written by run.sh). done() prints the same machine-readable line as random-sku.lua.

local bodies = {}
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + (id or 0) * 7919)
  -- cluster mode has API keys on: API_KEY in the environment is sent as X-Api-Key
  if os.getenv("API_KEY") then wrk.headers["X-Api-Key"] = os.getenv("API_KEY") end
  for line in io.lines(os.getenv("BODIES")) do table.insert(bodies, line) end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  return wrk.format("POST", "/v1/availability/query", nil, bodies[math.random(1, #bodies)])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_us=%d bytes=%d err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max))
end
