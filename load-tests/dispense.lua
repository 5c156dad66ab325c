-- wrk script for run-side-by-side.sh: each request dispenses a code drawn at random from $CODES with one
-- of two pharmacies ($TOKEN_A, $TOKEN_B); every answer is read, and done() prints one line of counts:
-- "answers <status-200 count> genuine <n> already_used <n> other <n> non200 <n>".
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  codes = {}
  for line in io.lines(os.getenv("CODES")) do
    codes[#codes + 1] = line
  end
  tokens = { "Bearer " .. os.getenv("TOKEN_A"), "Bearer " .. os.getenv("TOKEN_B") }
  math.randomseed(os.time() * 1000 + id)
  counts = { genuine = 0, already_used = 0, other = 0, non200 = 0 }
end

function request()
  local code = codes[math.random(#codes)]
  return wrk.format("POST", "/v1/verifications",
    { ["Authorization"] = tokens[math.random(2)], ["Content-Type"] = "application/json" },
    '{"code":"' .. code .. '","action":"dispense"}')
end

function response(status, headers, body)
  if status ~= 200 then
    counts.non200 = counts.non200 + 1
    return
  end
  local outcome = body:match('"outcome"%s*:%s*"([%a_]+)"')
  if outcome == "genuine" or outcome == "already_used" then
    counts[outcome] = counts[outcome] + 1
  else
    counts.other = counts.other + 1
  end
end

function done(summary, latency, requests)
  local total = { genuine = 0, already_used = 0, other = 0, non200 = 0 }
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    for k, v in pairs(c) do
      total[k] = total[k] + v
    end
  end
  io.write(string.format("answers genuine %d already_used %d other %d non200 %d p99_us %d\n",
    total.genuine, total.already_used, total.other, total.non200, latency:percentile(99)))
end
