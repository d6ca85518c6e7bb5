-- wrk script for p304 serve (test/load-test.sh, make bench): POSTs the body
-- in $P304_BODY to $P304_PATH (P304_METHOD=GET: GETs it, no body); each thread stops after $P304_PER_THREAD
-- responses (0 = run for the -d duration). done() prints one line:
--   result requests=N non200=N p50_ms=X p95_ms=X p99_ms=X rps=X
local body_file = os.getenv("P304_BODY")
local f = assert(io.open(body_file, "rb"))
wrk.method = os.getenv("P304_METHOD") or "POST"
wrk.path = os.getenv("P304_PATH") or "/api/allocate"
if wrk.method == "POST" then
	wrk.body = f:read("*a")
	wrk.headers["Content-Type"] = "application/json"
end
f:close()

local threads = {}
function setup(thread)
	table.insert(threads, thread)
end

local limit = tonumber(os.getenv("P304_PER_THREAD") or "0")
local count, bad = 0, 0
function response(status, headers, body)
	count = count + 1
	if status ~= 200 then
		bad = bad + 1
	end
	if limit > 0 and count >= limit then
		wrk.thread:stop()
	end
end

function done(summary, latency, requests)
	local bad_total = 0
	for _, t in ipairs(threads) do
		bad_total = bad_total + (t:get("bad") or 0)
	end
	local secs = summary.duration / 1e6
	io.write(string.format("result requests=%d non200=%d errors=%d p50_ms=%.3f p95_ms=%.3f p99_ms=%.3f rps=%.0f\n",
		summary.requests, bad_total,
		summary.errors.connect + summary.errors.read + summary.errors.write +
		summary.errors.status + summary.errors.timeout,
		latency:percentile(50) / 1000, latency:percentile(95) / 1000,
		latency:percentile(99) / 1000, summary.requests / secs))
end
