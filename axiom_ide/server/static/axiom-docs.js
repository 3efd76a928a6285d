// Starts Swagger UI on an Axiom docs page, offline: every script and style comes from this server.
//
// A flow's spec is private to its tenant, so when the page's config says `needsKey` the spec is
// fetched with a bearer key: one handed over in the URL fragment (`#key=<64 hex>`, kept for this
// tab in sessionStorage and removed from the address bar), one entered in the page's key form, or
// one already given to Swagger UI's Authorize dialog. The same key pre-fills Authorize, so
// "Try it out" sends `Authorization: Bearer <key>` to this origin's /invocations endpoints.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("axiom-docs-config").textContent);
  var STORE = "axiom-docs-api-key";
  var form = document.getElementById("axiom-key-form");
  var input = document.getElementById("axiom-key");
  var message = document.getElementById("axiom-key-message");
  var ui = null;

  var handed = /(?:^#|&)key=([0-9a-fA-F]{64})(?:&|$)/.exec(window.location.hash);
  if (handed) {
    sessionStorage.setItem(STORE, handed[1]);
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }

  function storedKey() { return sessionStorage.getItem(STORE) || ""; }

  function authorizedKey() {
    // The value a user typed into Swagger UI's Authorize dialog, if any.
    try {
      var auth = ui && ui.authSelectors.authorized().getIn(["bearerAuth", "value"]);
      return auth || "";
    } catch (e) { return ""; }
  }

  function isSpecRequest(url) {
    try { return new URL(url, window.location.href).pathname === new URL(config.specUrl, window.location.href).pathname; }
    catch (e) { return false; }
  }

  // A flow's page is public and names no flow; once the (authenticated) spec is in, the page is
  // titled with the flow's name, as the docs' "<flow name> — Interactive API Docs".
  var FLOW_SPEC_SUFFIX = " — Axiom flow API";
  function showFlowName(response) {
    var spec = response.obj || response.body;
    if (!spec && response.text) { try { spec = JSON.parse(response.text); } catch (e) { spec = null; } }
    var title = spec && spec.info && spec.info.title;
    if (typeof title !== "string" || title.slice(-FLOW_SPEC_SUFFIX.length) !== FLOW_SPEC_SUFFIX) { return; }
    var text = title.slice(0, -FLOW_SPEC_SUFFIX.length) + " — Interactive API Docs";
    document.title = text;
    var heading = document.querySelector(".axiom-docs-header h1");
    if (heading) { heading.textContent = text; }
  }

  function askForKey(text, isError) {
    message.textContent = text;
    message.className = "axiom-key-message" + (isError ? " error" : "");
    form.hidden = false;
    input.focus();
  }

  function start() {
    form.hidden = true;
    ui = SwaggerUIBundle({
      url: config.specUrl,
      dom_id: "#swagger-ui",
      deepLinking: true,
      validatorUrl: null,          // no third-party validator badge: the page stays offline
      tryItOutEnabled: true,
      displayRequestDuration: true,
      persistAuthorization: false,
      requestInterceptor: function (request) {
        if (config.needsKey && isSpecRequest(request.url)) {
          var key = storedKey() || authorizedKey();
          if (key) { request.headers.Authorization = "Bearer " + key; }
        }
        return request;
      },
      responseInterceptor: function (response) {
        if (config.needsKey && isSpecRequest(response.url) && response.status === 200) { showFlowName(response); }
        if (config.needsKey && isSpecRequest(response.url) && (response.status === 401 || response.status === 404)) {
          sessionStorage.removeItem(STORE);
          askForKey(response.status === 401
            ? "The server answered 401 unauthorized: enter a valid API key of the account that owns this " +
              (config.kind === "package" ? "package." : "flow.")
            : config.kind === "package"
              ? "No such package version for this key (404): check the key's account, or push the package."
              : "No such compiled flow for this key (404): check the key's account or recompile the flow.", true);
        }
        return response;
      },
      onComplete: function () {
        var key = storedKey();
        if (key) { ui.preauthorizeApiKey("bearerAuth", key); }
      }
    });
    window.ui = ui;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    sessionStorage.setItem(STORE, input.value.trim());
    input.value = "";
    start();
  });

  if (config.kind === "package") {
    message.textContent = "This package version is not public: enter an API key of the account that pushed it.";
  }
  if (config.needsKey && !storedKey()) {
    askForKey(message.textContent, false);
  } else {
    start();
  }
})();
