-- wrk script (item 10): counts answers that are not the benchmark page
-- (status other than 200, or a body without its marker). wrk itself counts
-- only statuses >= 400 as "Non-2xx or 3xx", so a sign-in redirect (302)
-- would pass unseen; every row of item 10 runs with this script, the
-- no-auth row too, so its small cost is the same everywhere.
-- The cookie comes in as wrk's -H option.
wrong = 0
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, "bench-page-marker", 1, true) then wrong = wrong + 1 end
end

local threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("wrong") end
  io.write(string.format("not the page: %d\n", n))
end
