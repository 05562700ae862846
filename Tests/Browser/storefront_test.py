"""The storefront in a real browser (Debian's chromium, headless, through its chromedriver) against a
whole platform started by the project's launcher: every page a shopper and an administrator use,
end to end through the gateway. Every wait is for a state on the page or in the API, never a fixed
time. Run by `make test` (infrastructure/scripts/run-tests.sh); on its own:

    .venv/bin/python Tests/Browser/storefront_test.py --launcher .build/debug/bazaar

With BAZAAR_BROWSER_GATEWAY=http://localhost:PORT (and BAZAAR_BROWSER_RUN_DIR) it uses a running
platform instead of starting one."""

import argparse
import os
import re
import sys
import unittest
import uuid

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Platform"))
from bazaar_platform import Platform, RunningPlatform, eventually  # noqa: E402

platform = None
# Longest wait for any state: generous for two busy cores running debug builds of every service.
WAIT = 60
PASSWORD = "browser-Secret-phrase-42"
HOME_BUDGET_BYTES = 150 * 1024


def chromium(width=1280, height=900):
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}", "--disable-extensions", "--no-first-run"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


class StorefrontTestCase(unittest.TestCase):
    width = 1280

    def setUp(self):
        self.browser = chromium(self.width)
        self.addCleanup(self.browser.quit)
        self.steps = 0

    def step(self, name):
        """Saves a screenshot of the page as it is now: .build/storefront-screenshots/<test>-<n>-<name>.png."""
        self.steps += 1
        test = self.id().rsplit(".", 1)[-1]
        self.browser.save_screenshot(os.path.join(artifacts(), f"{test}-{self.width}px-{self.steps:02d}-{name}.png"))

    # -- helpers --

    def open(self, path):
        self.browser.get(self.url(path))

    def url(self, path):
        # `localhost` (not 127.0.0.1) is a secure context for crypto.randomUUID in every browser.
        return platform.url.replace("127.0.0.1", "localhost") + path

    def wait(self, condition, description, timeout=WAIT):
        try:
            return WebDriverWait(self.browser, timeout, ignored_exceptions=[StaleElementReferenceException]).until(
                lambda browser: condition())
        except TimeoutException:
            self.browser.save_screenshot(os.path.join(artifacts(), f"{self.id().rsplit('.', 1)[-1]}-{self.width}px-timed-out.png"))
            raise AssertionError(f"timed out waiting for {description}; page {self.browser.current_url}; "
                                 f"alert: {self.texts('[data-test=alert]')}; console: {self.console()}")

    def find(self, selector):
        return self.browser.find_elements(By.CSS_SELECTOR, selector)

    def element(self, selector, description=None):
        return self.wait(lambda: next((e for e in self.find(selector) if e.is_displayed()), None), description or selector)

    def text_of(self, selector, description=None):
        """The text of the first shown element: found and read in one step, again if the page redrew it."""
        return self.wait(lambda: next(((e.text,) for e in self.find(selector) if e.is_displayed()), None), description or selector)[0]

    def click(self, selector, description=None):
        """Clicks the first shown element, found again if the page redrew it before the click."""
        def clicked():
            element = next((e for e in self.find(selector) if e.is_displayed()), None)
            if element is None:
                return False
            element.click()
            return True
        self.wait(clicked, description or selector)

    def texts(self, selector):
        return [e.text for e in self.find(selector) if e.is_displayed()]

    def fill(self, form, values):
        for name, value in values.items():
            field = self.element(f"{form} [name={name}]")
            field.clear()
            field.send_keys(value)

    def console(self):
        return [entry["message"] for entry in self.browser.get_log("browser") if entry["level"] == "SEVERE"]

    def expect_no_console_errors(self, allowed=()):
        errors = [message for message in self.console() if not any(pattern in message for pattern in allowed)]
        self.assertEqual(errors, [], "errors in the browser console")

    def register(self, email=None, name="Browser Shopper"):
        email = email or f"shopper-{uuid.uuid4().hex[:10]}@example.com"
        self.open("/register")
        self.fill("[data-test=register-form]", {"name": name, "email": email, "password": PASSWORD})
        self.click("[data-test=register-submit]")
        self.element("[data-test=account-menu-button]", "the account menu after registering")
        return email

    def sign_in(self, email, password=PASSWORD):
        self.open("/sign-in")
        self.fill("[data-test=sign-in-form]", {"email": email, "password": password})
        self.click("[data-test=sign-in-submit]")
        self.element("[data-test=account-menu-button]", "the account menu after signing in")

    def api_token(self, email, password=PASSWORD):
        return platform.sign_in(email, password)

    def cart_count(self):
        return self.text_of("[data-test=cart-count]")

    def add_first_product_to_cart(self):
        """Opens the home page's first product that is in stock and adds one unit; its name."""
        self.open("/")
        hrefs = self.wait(lambda: [card.get_attribute("href") for card in self.find("[data-test=product-card] a")] or None, "product cards")
        for href in hrefs:
            self.browser.get(href)
            availability = self.text_of("[data-test=availability]")
            if "out of stock" in availability.lower():
                continue
            title = self.text_of("[data-test=product-title]")
            before = self.cart_count()
            self.click("[data-test=add-to-cart]")
            self.wait(lambda: self.cart_count() != before, "the cart count to change")
            return title
        self.fail("no product on the home page is in stock")

    def checkout(self, card_token, before_placing=lambda: None):
        """Checks out the cart with a new address and `card_token`; the order page's order id."""
        self.open("/checkout")
        form = "[data-test=checkout-form]"
        self.element(form)
        if self.find("[data-test=checkout-address-new]"):
            self.click("[data-test=checkout-address-new]")
        if self.element("[data-test=new-address]").is_displayed():
            self.fill(form, {"name": "Browser Shopper", "line1": "Teststraße 1", "postalCode": "10115",
                             "city": "Berlin", "country": "DE"})
        self.click(f"[data-test=payment-option][value={card_token}]")
        before_placing()
        submit = self.element("[data-test=checkout-submit]")
        # A double click places the order once (one Idempotency-Key per attempt, the button disabled in flight).
        submit.click()
        try:
            submit.click()
        except Exception:
            pass  # already disabled or gone: that is the point
        self.wait(lambda: re.search(r"/orders/[0-9a-f-]{36}$", self.browser.current_url), "the order page")
        return self.browser.current_url.rsplit("/", 1)[1]

    @staticmethod
    def order_not_yet_known(order_id):
        """The console line of the order page asking for an order the order service has not read
        from its event yet (a 404 the page answers by asking again): expected right after checkout."""
        return f"/api/orders/{order_id} - Failed to load resource: the server responded with a status of 404"

    def confirmed_order(self):
        """A new shopper's order, paid with `tok_visa` and shown confirmed: (email, order id)."""
        email = self.register()
        self.add_first_product_to_cart()
        order_id = self.checkout("tok_visa")
        self.wait(lambda: self.order_status() == "confirmed", "the order confirmed")
        return email, order_id

    def order_status(self):
        status = self.find("[data-test=order-status]")
        return status[0].get_attribute("data-status") if status else None


class ShopperTests(StorefrontTestCase):
    def test_home_page_is_small_and_fast(self):
        self.open("/")
        self.wait(lambda: len(self.find("[data-test=product-card]")) > 0, "featured products")
        self.assertTrue(self.find("[data-test=nav-category]"), "the category tree")
        transferred = self.browser.execute_script(
            "return performance.getEntriesByType('navigation')[0].transferSize"
            " + performance.getEntriesByType('resource').reduce((sum, entry) => sum + entry.transferSize, 0)")
        paint = self.browser.execute_script(
            "const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : null")
        report(f"home page: {transferred / 1024:.1f} KB transferred, first contentful paint {paint:.0f} ms "
               "(headless chromium, loopback, debug-built services)")
        self.assertLess(transferred, HOME_BUDGET_BYTES)
        self.expect_no_console_errors(allowed=["/images/"])

    def test_browse_category_filter_sort_and_paginate_by_url(self):
        self.open("/")
        name = self.text_of("[data-test=nav-category]")
        self.click("[data-test=nav-category]")
        self.wait(lambda: name in self.texts("h1"), "the category page")
        self.wait(lambda: self.find("[data-test=product-card]"), "the category's products")
        everything = self.text_of("[data-test=result-count]")
        # Filters and sort go into the URL; the answer follows them.
        self.fill("[data-test=filters]", {"maxPrice": "20"})
        Select(self.element("[data-test=sort]")).select_by_value("-price")
        self.click("[data-test=apply-filters]")
        self.wait(lambda: "maxPrice=2000" in self.browser.current_url and "sort=-price" in self.browser.current_url, "the filters in the URL")
        self.wait(lambda: self.text_of("[data-test=result-count]") != everything, "the filtered count")
        prices = [self.price(card) for card in self.find("[data-test=product-card] [data-test=product-price]")]
        self.assertTrue(prices and all(price <= 2000 for price in prices), prices)
        self.assertEqual(prices, sorted(prices, reverse=True))
        filtered = self.text_of("[data-test=result-count]")
        # Reloaded, the same page; a search's pages are links in the URL too.
        self.browser.refresh()
        self.wait(lambda: self.text_of("[data-test=result-count]") == filtered, "the same results after a reload")
        self.open("/search?q=a")
        self.click("[data-test=pagination] a[rel=next]")
        self.wait(lambda: "page=2" in self.browser.current_url and self.find("[data-test=product-card]"), "the second page")
        self.step("search-page-2")

    @staticmethod
    def price(element):
        """A shown price (€1,234.50) in minor units."""
        return int(re.sub(r"[^0-9]", "", element.text))

    def test_browse_search_guest_cart_register_merge_checkout_confirmed_live_and_emailed(self):
        self.open("/")
        self.wait(lambda: self.find("[data-test=product-card]"), "featured products")
        self.step("home")
        search = self.element("[data-test=search-input]")
        search.send_keys("cable", Keys.ENTER)
        self.wait(lambda: "/search" in self.browser.current_url and self.find("[data-test=product-card]"), "search results")
        self.step("search")
        product = self.add_first_product_to_cart()
        self.step("added-as-guest")
        self.open("/cart")
        self.wait(lambda: any(product in line.text for line in self.find("[data-test=cart-line]")), "the guest cart's line")
        self.step("guest-cart")
        email = self.register()
        self.open("/cart")
        self.wait(lambda: any(product in line.text for line in self.find("[data-test=cart-line]")), "the merged cart's line")
        self.step("merged-cart")
        total = self.text_of("[data-test=total]")
        order_id = self.checkout("tok_visa", before_placing=lambda: self.step("checkout"))
        self.step("order-placed")
        self.wait(lambda: self.order_status() == "confirmed", "the live status to show confirmed")
        self.step("order-confirmed")
        # Placed once, whatever the double click did, and for the total the cart showed.
        status, orders, _ = platform.request("GET", "/api/orders", token=self.api_token(email))
        self.assertEqual(status, 200, orders)
        self.assertEqual([order["id"] for order in orders["items"]], [order_id])
        self.assertEqual(money(orders["items"][0]["total"]), total)
        self.assertEqual(self.cart_count(), "0")
        eventually("the confirmation email", lambda: any(
            email in mail and order_id in mail and "confirmed" in mail for mail in platform.mails()))
        self.expect_no_console_errors(allowed=["/images/", self.order_not_yet_known(order_id)])

    def test_an_out_of_stock_product_cannot_be_added(self):
        status, listing, _ = platform.request("GET", "/api/catalog/products?page=3&limit=1")
        self.assertEqual(status, 200, listing)
        product = listing["items"][0]
        admin = self.api_token("admin@bazaar.local", platform.administrator_password())
        path = f"/api/inventory/stock/{product['sku']}"
        eventually("the inventory to know the product", lambda: platform.request("GET", path, token=admin)[0] == 200)
        _, _, headers = platform.request("GET", path, token=admin)
        status, body, _ = platform.request("PUT", path, {"onHand": 0, "lowStockThreshold": 0, "reason": "browser test"}, token=admin,
                                           headers={"If-Match": headers["ETag"]})
        self.assertEqual(status, 200, body)
        self.open(f"/p/{product['slug']}")
        self.wait(lambda: "out of stock" in self.text_of("[data-test=availability]").lower(), "out of stock shown")
        self.assertFalse(self.element("[data-test=add-to-cart]").is_enabled(), "Add to cart is disabled")
        self.step("out-of-stock")

    def test_a_declined_card_cancels_the_order_with_the_reason_in_plain_words(self):
        self.register()
        self.add_first_product_to_cart()
        self.checkout("tok_chargeDeclined")
        self.wait(lambda: self.order_status() == "cancelled", "the live status to show cancelled")
        self.assertIn("declined", self.text_of("[data-test=live-status], [data-test=order-status]").lower())

    def test_a_shopper_cancels_before_shipping(self):
        email, order_id = self.confirmed_order()
        self.click("[data-test=order-cancel]")
        self.wait(lambda: self.order_status() == "cancelled", "the order cancelled on the page")
        self.step("cancelled")
        status, order, _ = platform.request("GET", f"/api/orders/{order_id}", token=self.api_token(email))
        self.assertEqual((status, order["status"]), (200, "cancelled"), order)
        self.assertFalse([button for button in self.find("[data-test=order-cancel]") if button.is_displayed()], "no second cancel")

    def test_a_price_changed_since_adding_is_flagged_in_the_cart(self):
        status, listing, _ = platform.request("GET", "/api/catalog/products?page=4&limit=1")
        self.assertEqual(status, 200, listing)
        product = listing["items"][0]
        self.open(f"/p/{product['slug']}")
        self.wait(lambda: "checking" not in self.text_of("[data-test=availability]").lower(), "the availability")
        before = self.cart_count()
        self.click("[data-test=add-to-cart]")
        self.wait(lambda: self.cart_count() != before, "the cart count to change")
        admin = self.api_token("admin@bazaar.local", platform.administrator_password())
        _, _, headers = platform.request("GET", f"/api/catalog/products/{product['id']}", token=admin)
        # Lower (a raise could pass the compare-at price, which must stay above the price).
        new_price = {"minorUnits": product["price"]["minorUnits"] // 2, "currency": product["price"]["currency"]}
        status, body, _ = platform.request("PATCH", f"/api/catalog/products/{product['id']}", {"price": new_price}, token=admin,
                                           headers={"If-Match": headers["ETag"]})
        self.assertEqual(status, 200, body)

        def flagged():
            self.open("/cart")
            line = self.element(f"[data-test=cart-line][data-product-id='{product['id']}']")
            return bool(line.find_elements(By.CSS_SELECTOR, "[data-test=price-changed]"))
        self.wait(flagged, "the cart to flag the new price")
        flag = self.text_of("[data-test=price-changed]")
        self.assertIn(money(product["price"]), flag)
        self.assertIn(money(new_price), flag)
        self.step("price-changed")

    def test_errors_are_shown_next_to_their_fields_and_in_the_alert(self):
        self.open("/register")
        self.fill("[data-test=register-form]", {"name": "Short", "email": f"short-{uuid.uuid4().hex[:8]}@example.com",
                                               "password": "short"})
        self.click("[data-test=register-submit]")
        error = self.element("[data-test=field-error]", "the password's field error")
        self.assertTrue(error.text)
        password = self.element("[data-test=register-form] [name=password]")
        self.assertEqual(password.get_attribute("aria-invalid"), "true")
        self.assertIn(error.get_attribute("id"), password.get_attribute("aria-describedby"))
        self.open("/sign-in")
        self.fill("[data-test=sign-in-form]", {"email": "nobody@example.com", "password": "wrong-Password-123"})
        self.click("[data-test=sign-in-submit]")
        self.wait(lambda: any(text.strip() for text in self.texts("[data-test=alert]")), "the sign-in problem's detail")

    def test_password_reset_from_the_emailed_link(self):
        email = self.register()
        self.click("[data-test=account-menu-button]")
        self.click("[data-test=sign-out]")
        self.element("[data-test=sign-in-link]", "signed out")
        self.open("/forgot-password")
        self.fill("[data-test=forgot-form]", {"email": email})
        self.click("[data-test=forgot-submit]")
        self.element("[data-test=reset-requested]")
        link = eventually("the reset email", lambda: next(
            (match.group(0) for mail in platform.mails() if email in mail
             for match in [re.search(r"https?://\S+/reset-password#token=[A-Za-z0-9_-]+", mail)] if match), None))
        self.browser.get(self.url("/reset-password#token=" + link.split("#token=", 1)[1]))
        self.wait(lambda: "token" not in self.browser.current_url, "the token to leave the address bar")
        new_password = "browser-New-phrase-77"
        self.fill("[data-test=reset-form]", {"newPassword": new_password, "confirm": new_password})
        self.click("[data-test=reset-submit]")
        self.element("[data-test=sign-in-form]", "the sign-in page after the reset")
        self.sign_in(email, new_password)

    def test_account_profile_and_address_book(self):
        self.register(name="Before Rename")
        self.open("/account")
        self.fill("[data-test=profile-form]", {"name": "After Rename"})
        self.click("[data-test=profile-submit]")
        self.wait(lambda: any("After Rename" in text for text in self.texts("[data-test=notice], [data-test=account-menu-button]")),
                  "the new name confirmed")
        self.click("[data-test=address-add]")
        self.fill("[data-test=address-form]", {"name": "Home", "line1": "Am Markt 3", "postalCode": "20095",
                                              "city": "Hamburg", "country": "DE"})
        self.click("[data-test=address-submit]")
        self.wait(lambda: any("Am Markt 3" in text for text in self.texts("[data-test=address]")), "the saved address")


class KeyboardTests(StorefrontTestCase):
    def focused(self):
        return self.browser.switch_to.active_element

    def test_a_product_can_be_added_with_the_keyboard_alone_and_focus_is_visible(self):
        self.open("/")
        self.wait(lambda: self.find("[data-test=product-card]"), "featured products")
        # The first Tab reaches the skip link, which is shown when focused.
        self.browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        skip = self.focused()
        self.assertEqual(skip.get_attribute("href").split("#", 1)[-1], "app", skip.get_attribute("outerHTML"))
        self.assertTrue(skip.is_displayed())
        # Tab on to the first product and open it with Enter.
        for _ in range(60):
            self.focused().send_keys(Keys.TAB)
            if self.focused().get_attribute("href") and "/p/" in self.focused().get_attribute("href"):
                break
        link = self.focused()
        self.assertIn("/p/", link.get_attribute("href") or "", "a product link is reachable by Tab")
        # The focus ring is on the link or on the box around it (a product card shows it for its link).
        ring = self.browser.execute_script(
            "for (let e = arguments[0]; e && e !== document.body; e = e.parentElement) {"
            "  const style = getComputedStyle(e);"
            "  if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) return e.tagName + ' ' + style.outline;"
            "} return null", link)
        self.assertIsNotNone(ring, "the focused link shows its focus")
        link.send_keys(Keys.ENTER)
        self.element("[data-test=add-to-cart]", "the product page")
        self.wait(lambda: "checking" not in self.text_of("[data-test=availability]").lower(), "the availability")
        before = self.cart_count()
        for _ in range(60):
            if self.focused().get_attribute("data-test") == "add-to-cart":
                break
            self.focused().send_keys(Keys.TAB)
        self.assertEqual(self.focused().get_attribute("data-test"), "add-to-cart", "Add to cart is reachable by Tab")
        self.focused().send_keys(Keys.ENTER)
        self.wait(lambda: self.cart_count() != before, "the cart count to change")


class NarrowScreenTests(StorefrontTestCase):
    width = 375

    def test_nothing_is_wider_than_the_screen(self):
        self.open("/")
        self.wait(lambda: self.find("[data-test=product-card]"), "featured products")
        product = self.wait(lambda: next((card.get_attribute("href") for card in self.find("[data-test=product-card] a")), None),
                            "a product link")
        for path in ["/", product.split(platform.url.replace("127.0.0.1", "localhost"))[-1], "/cart", "/sign-in",
                     "/register", "/search?q=cable"]:
            self.open(path)
            self.element("h1")
            self.step(path.strip("/").replace("/", "-").replace("?", "-") or "home")
            width = self.browser.execute_script("return document.documentElement.scrollWidth")
            viewport = self.browser.execute_script("return document.documentElement.clientWidth")
            self.assertLessEqual(width, viewport, f"{path} is {width} px wide on a {viewport} px screen")


class AdministratorTests(StorefrontTestCase):
    def test_admin_ships_and_delivers_an_order(self):
        email, order_id = self.confirmed_order()
        self.click("[data-test=account-menu-button]")
        self.click("[data-test=sign-out]")
        self.element("[data-test=sign-in-link]", "signed out")
        self.sign_in("admin@bazaar.local", platform.administrator_password())
        self.open("/admin/orders")
        row = f"[data-test=admin-order-row][data-order-id='{order_id}']"
        self.click(f"{row} [data-test=admin-ship]")
        form = self.element(f"{row} details[open] form", "the shipping form")
        for field in form.find_elements(By.CSS_SELECTOR, "input[type=text], input:not([type])"):
            field.send_keys("DHL" if "carrier" in (field.get_attribute("name") or "") else "JJD000390007")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        token = self.api_token(email)
        eventually("the order shipped", lambda: platform.request("GET", f"/api/orders/{order_id}", token=token)[1]["status"] == "shipped")
        self.click(f"{row} [data-test=admin-deliver]")
        eventually("the order delivered", lambda: platform.request("GET", f"/api/orders/{order_id}", token=token)[1]["status"] == "delivered")
        self.expect_no_console_errors(allowed=["/images/", self.order_not_yet_known(order_id)])


def artifacts():
    folder = os.environ.get("BAZAAR_BROWSER_ARTIFACTS",
                            os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".build", "storefront-screenshots"))
    os.makedirs(folder, exist_ok=True)
    return folder


figures = []


def money(amount):
    """Money as the storefront shows it (en-GB): €12.34."""
    symbol = {"EUR": "€", "GBP": "£", "USD": "$"}.get(amount["currency"], amount["currency"] + " ")
    return f"{symbol}{amount['minorUnits'] // 100:,}.{amount['minorUnits'] % 100:02d}"


def report(line):
    """A figure to print after the run (not in the middle of unittest's per-test lines)."""
    figures.append(line)


def main():
    global platform
    parser = argparse.ArgumentParser()
    parser.add_argument("--launcher", default=".build/debug/bazaar")
    arguments, rest = parser.parse_known_args()
    running = os.environ.get("BAZAAR_BROWSER_GATEWAY")
    if running:
        platform = RunningPlatform(running, os.environ["BAZAAR_BROWSER_RUN_DIR"])
        result = unittest.main(argv=[sys.argv[0], *rest], exit=False, verbosity=2).result
    else:
        # The platform tests' settings: consumers fetch every 100 ms, so the live status moves quickly.
        with Platform(arguments.launcher, {"KAFKA_FETCH_WAIT_MAX_MS": "100"}) as started:
            platform = started
            result = unittest.main(argv=[sys.argv[0], *rest], exit=False, verbosity=2).result
    for line in figures:
        print(f"storefront: {line}")
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
