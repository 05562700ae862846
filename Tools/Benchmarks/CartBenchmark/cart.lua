-- wrk script for the cart benchmark: every request is one signed-in user's (tokens from the file
-- in BENCH_TOKENS, one per line, taken in turn). With BENCH_MODE=add each request adds one unit of
-- one of the first BENCH_CART_LINES products of BENCH_PRODUCTS (comma-separated ids) to the cart;
-- otherwise it reads the cart.
local tokens, products = {}, {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do tokens[#tokens + 1] = line end
local lines = tonumber(os.getenv("BENCH_CART_LINES") or "50")
for id in string.gmatch(os.getenv("BENCH_PRODUCTS") or "", "[^,]+") do
    if #products < lines then products[#products + 1] = id end
end
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
