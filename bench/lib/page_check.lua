-- wrk script (items 7 and 10): counts the answers that are not the page
-- expected, a status other than 200 or a body without $BENCH_PAGE_MARKER,
-- and prints "not the page: N". wrk itself counts only statuses >= 400 (its
-- "Non-2xx or 3xx"), so a redirect to the sign-in would pass unseen.
-- With $BENCH_IDS (item 7), every request carries the cookie of a session
-- drawn at random from the ids in that file; else the requests are wrk's
-- own (item 10 gives the cookie with -H).
local marker = os.getenv("BENCH_PAGE_MARKER")
assert(marker and marker ~= "", "BENCH_PAGE_MARKER is not set")

local ids_file = os.getenv("BENCH_IDS")
if ids_file then
  local ids = {}
  for line in io.lines(ids_file) do ids[#ids + 1] = line end
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
  request = function()
    return wrk.format("GET", nil, {["Cookie"] = "kinde_session=" .. ids[math.random(#ids)]})
  end
end

wrong = 0
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, marker, 1, true) then wrong = wrong + 1 end
end

local threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("wrong") end
  io.write(string.format("not the page: %d\n", n))
end
