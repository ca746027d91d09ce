-- wrk script: a mix of the pages analysts open, with varying as_of dates.
-- Paths rotate per request; every non-2xx response is counted and reported.
local paths = {}
local dates = {}
local day = os.time({year = 2024, month = 6, day = 20})
for i = 0, 59 do
  dates[#dates + 1] = os.date("%Y-%m-%d", day + i * 9 * 86400)
end
local types = {"", "&type=police", "&type=military"}
for i, d in ipairs(dates) do
  local t = types[(i % #types) + 1]
  paths[#paths + 1] = "/missions/mss/?as_of=" .. d .. t
  paths[#paths + 1] = "/missions/gsf/?as_of=" .. d
  paths[#paths + 1] = "/missions/mss/countries/KEN/?as_of=" .. d .. t
  paths[#paths + 1] = "/missions/mss/countries/jam/?as_of=" .. d
  paths[#paths + 1] = "/missions/mss/events/?page=" .. ((i % 2) + 1)
  paths[#paths + 1] = "/missions/mss/export/summary.csv?as_of=" .. d .. t
  paths[#paths + 1] = "/missions/mss/export/events.csv?to=" .. d
end
paths[#paths + 1] = "/"

local counter = 0
local non2xx = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  n = id
end

request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end

response = function(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  io.write(string.format("paths in rotation: %d\n", #paths))
end
