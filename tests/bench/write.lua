-- tests/bench/write.lua: wrk script for make bench's writes.  Every
-- connection creates an ESS application (POST /api/v1/applications, the
-- same body as tests/bench/write.pgbench) and, on its next request,
-- submits the one it created last (POST /api/v1/applications/ID/submit);
-- so each connection alternates create and submit.  done() prints
-- "created N submitted N failed N" for scripts/bench.sh: applications
-- created and submitted per second is submitted / duration.
-- wrk -s tests/bench/write.lua -H 'Cookie: itf_session=...' URL
local body = '{"scheme":"ESS","title":"Smart warehouse robotics",' ..
  '"summary":"In-house research and development of autonomous picking robots.",' ..
  '"start_date":"2027-01-01","end_date":"2027-12-31","budget_lines":[' ..
  '{"category":"manpower","description":"Two engineers","amount_cents":60000000},' ..
  '{"category":"equipment","amount_cents":40000000}],"milestones":[' ..
  '{"title":"Prototype","deliverables":"A working prototype","due_date":"2027-06-30"}],' ..
  '"fields":{"project_title":"Smart warehouse robotics"}}'
local threads = {}
local pending = {}
created, submitted, failed = 0, 0, 0

function setup(thread)
  table.insert(threads, thread)
end

local function headers(extra)
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  for k, v in pairs(extra) do h[k] = v end
  return h
end

request = function()
  local id = table.remove(pending)
  if id then
    return wrk.format("POST", "/api/v1/applications/" .. id .. "/submit",
      headers({ ["X-ITF-Request"] = "1", ["Content-Length"] = "0" }), "")
  end
  return wrk.format("POST", "/api/v1/applications",
    headers({ ["X-ITF-Request"] = "1", ["Content-Type"] = "application/json" }),
    body)
end

response = function(status, hdrs, resp)
  if status == 201 then
    local id = resp:match('"id":%s*(%d+)')
    if id then table.insert(pending, id) end
    created = created + 1
  elseif status == 200 then
    submitted = submitted + 1
  else
    failed = failed + 1
  end
end

done = function(summary, latency, requests)
  local c, s, f = 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    s = s + t:get("submitted")
    f = f + t:get("failed")
  end
  io.write(string.format("created %d submitted %d failed %d\n", c, s, f))
end
