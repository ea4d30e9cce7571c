-- wrk script (item 7): every request carries the cookie of a session drawn
-- at random from the ids in $BENCH_IDS, and answers that are not the
-- signed-in page (a lookup that failed) are counted.
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
math.randomseed(os.time() + math.floor(os.clock() * 1e6))

request = function()
  return wrk.format("GET", "/", {["Cookie"] = "kinde_session=" .. ids[math.random(#ids)]})
end

misses = 0
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, 'action="/logout"', 1, true) then misses = misses + 1 end
end

local threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function(summary, latency, requests)
  local m = 0
  for _, t in ipairs(threads) do m = m + t:get("misses") end
  io.write(string.format("not signed in: %d\n", m))
end
