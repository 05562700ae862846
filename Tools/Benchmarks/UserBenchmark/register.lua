-- wrk script: a registration per request, each with a new email address (thread id and counter),
-- as a flood of sign-ups would send them.
local threads = 0

function setup(thread)
    threads = threads + 1
    thread:set("id", threads)
end

function init(args)
    prefix = string.format("flood-%d-%d", os.time(), id)
    counter = 0
end

function request()
    counter = counter + 1
    local body = string.format('{"email":"%s-%d@example.com","password":"flood-Secret-phrase-77","name":"Flood"}', prefix, counter)
    return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
