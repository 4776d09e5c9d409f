-- wrk script: POST distinct alerts to /api/v2/alerts, as Prometheus sends
-- them (5 labels, 2 annotations). ALERTS_PER_REQUEST alerts per request;
-- RUN_ID keeps runs apart so every alert of every run is new.
-- Prints one JSON line at the end (requests, non-2xx, p50/p99).
local per = tonumber(os.getenv("ALERTS_PER_REQUEST") or "1")
local run = os.getenv("RUN_ID") or "run"
local threads = 0
local counter = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function request()
  local parts = {}
  for i = 1, per do
    counter = counter + 1
    local id = string.format("%s-%d-%d", run, tid, counter)
    parts[i] = '{"labels":{"alertname":"BenchAlert","severity":"warning","service":"svc-' .. (counter % 50) ..
      '","instance":"' .. id .. '","job":"bench"},"annotations":{"summary":"bench alert ' .. id ..
      '","description":"a distinct alert of the benchmark"},"startsAt":"2026-11-26T10:00:00Z",' ..
      '"generatorURL":"http://prometheus:9090/graph?g0.expr=up"}'
  end
  return wrk.format("POST", "/api/v2/alerts", {["Content-Type"] = "application/json"},
    "[" .. table.concat(parts, ",") .. "]")
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"duration_s":%.3f,"non2xx":%d,"socket_errors":%d,' ..
    '"p50_ms":%.3f,"p99_ms":%.3f}\n', summary.requests, summary.duration / 1e6, e.status,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
