-- wrk script for bench/load.sh: POST /v1/moderate with the bearer token, a distinct id per request and
-- comments cycled from BENCH_BODIES (one JSON-encoded text per line); counts answers that are not a
-- 200 decision, and decisions that failed closed (a reason such as timeout instead of rules).
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  texts = {}
  for line in io.lines(os.getenv("BENCH_BODIES")) do
    texts[#texts + 1] = line
  end
  token = os.getenv("BENCH_TOKEN")
  run = os.getenv("BENCH_RUN") or "wrk"  -- distinct ids from one measurement to the next
  n = tid * 7919
  bad = 0
  closed = 0
  answered = 0
end

function request()
  n = n + 1
  local body = '{"id":"' .. run .. '-' .. tid .. '-' .. n .. '","text":' .. texts[(n % #texts) + 1] .. '}'
  return wrk.format("POST", "/v1/moderate",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 or not string.find(body, '"decision"', 1, true) then
    bad = bad + 1
  elseif not string.find(body, '"reasons":[]', 1, true) then
    closed = closed + 1
  end
end

function done(summary, latency, requests)
  local b, a, c = 0, 0, 0
  for _, t in ipairs(threads) do
    b = b + t:get("bad")
    a = a + t:get("answered")
    c = c + t:get("closed")
  end
  io.write(string.format("CHECKED %d BAD %d CLOSED %d\n", a, b, c))
end
