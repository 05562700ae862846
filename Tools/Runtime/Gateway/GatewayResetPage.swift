/// The page password-reset emails link to (`/reset-password#token=…`) until the storefront serves
/// its own: a form for the new password that sends it with the token to
/// `POST /api/auth/password-reset/confirm`.
///
/// The token travels in the URL's fragment, which browsers never send to a server, so it cannot
/// land in the gateway's or anyone's access log or in a `Referer`. A link with `?token=` (an older
/// email) still works: the page reads it and removes it from the address bar, and the gateway logs
/// this path without its query.
enum GatewayResetPage {
    static let path = "/reset-password"
    static let scriptPath = "/reset-password.js"
    /// Scripts and styles from the gateway only, no framing, no referrer.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static let html = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <meta name="referrer" content="no-referrer">
          <title>Choose a new password · Bazaar</title>
          <style>
            body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 26rem; padding: 0 1rem; color: #222; }
            label { display: block; margin: 1rem 0 .3rem; }
            input { width: 100%; padding: .5rem; box-sizing: border-box; font-size: 1rem; }
            button { margin-top: 1.2rem; padding: .6rem 1.2rem; font-size: 1rem; }
            .error { color: #b00020; } .done { color: #1b5e20; }
          </style>
        </head>
        <body>
          <h1>Choose a new password</h1>
          <form id="reset" novalidate>
            <label for="password">New password (at least 10 characters)</label>
            <input id="password" name="password" type="password" autocomplete="new-password" minlength="10" required>
            <label for="confirm">The same again</label>
            <input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="10" required>
            <button type="submit">Set the new password</button>
          </form>
          <p id="message" role="status"></p>
          <script type="module" src="/reset-password.js"></script>
        </body>
        </html>

        """

    static let script = """
        // The token: from the fragment (#token=…), or from an older link's query, which is then
        // removed from the address bar and history.
        const fragment = new URLSearchParams(location.hash.slice(1));
        const query = new URLSearchParams(location.search);
        const token = fragment.get("token") ?? query.get("token");
        if (query.has("token")) history.replaceState(null, "", location.pathname);

        const form = document.getElementById("reset");
        const message = document.getElementById("message");
        function show(text, kind) {
          message.textContent = text;
          message.className = kind;
        }

        if (!token) {
          form.hidden = true;
          show("This link has no reset token. Open the link from the email again, or ask for a new one.", "error");
        }

        form.addEventListener("submit", async (event) => {
          event.preventDefault();
          const password = form.password.value;
          if (password !== form.confirm.value) return show("The two passwords differ.", "error");
          const response = await fetch("/api/auth/password-reset/confirm", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ token, newPassword: password }),
          });
          if (response.status === 204) {
            form.hidden = true;
            return show("Your password has been changed and every session signed out. Sign in with the new password.", "done");
          }
          let problem = {};
          try { problem = await response.json(); } catch { /* not JSON */ }
          const details = (problem.errors ?? []).map((error) => error.message).join("; ");
          show(details ? `The password was not changed: ${details}.` : (problem.detail ?? `The password was not changed (${response.status}).`), "error");
        });

        """
}
