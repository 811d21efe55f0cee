-- wrk script: GET /v1/availability/SKU-xxxxx?channel=... with a random SKU among SKU-00001..SKU-00500 and a
-- random channel among web-uk, web-de, web-fr (the demo data set). Each wrk thread seeds its own generator.
-- With BODIES set (a file of one JSON body per line, written by run.sh): POST /v1/availability/query with a random one.
-- done() prints one machine-readable line that run.sh parses (latencies in microseconds).

local channels = { "web-uk", "web-de", "web-fr" }
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
  if os.getenv("BODIES") then
    for line in io.lines(os.getenv("BODIES")) do table.insert(bodies, line) end
    wrk.headers["Content-Type"] = "application/json"
  end
end

function request()
  if #bodies > 0 then return wrk.format("POST", "/v1/availability/query", nil, bodies[math.random(1, #bodies)]) end
  local path = string.format("/v1/availability/SKU-%05d?channel=%s", math.random(1, 500), channels[math.random(1, 3)])
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_us=%d bytes=%d err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max))
end
