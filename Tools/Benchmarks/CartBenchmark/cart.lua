-- wrk script for the cart benchmark: every request is one signed-in user's (tokens from the file
-- in BENCH_TOKENS, one per line, taken in turn). With BENCH_MODE=add each request adds one unit of
-- a product from BENCH_PRODUCTS (comma-separated ids) to the cart; otherwise it reads the cart.
local tokens, products = {}, {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do tokens[#tokens + 1] = line end
for id in string.gmatch(os.getenv("BENCH_PRODUCTS") or "", "[^,]+") do products[#products + 1] = id end
local add = os.getenv("BENCH_MODE") == "add"
local counter = 0

function setup(thread)
    thread:set("offset", math.random(1, #tokens))
end

function request()
    counter = counter + 1
    local token = tokens[(counter + offset) % #tokens + 1]
    local headers = { ["Authorization"] = "Bearer " .. token }
    if add then
        headers["Content-Type"] = "application/json"
        local product = products[math.random(1, #products)]
        return wrk.format("POST", "/api/cart/items", headers, '{"productId":"' .. product .. '","quantity":1}')
    end
    return wrk.format("GET", "/api/cart", headers)
end
