// Shows the OpenAPI document named by the page (`data-document` on #api-document) in Swagger UI,
// vendored from npm into /docs-ui (see the Makefile's `docs-ui`). An external file, so that the
// page's Content-Security-Policy can allow scripts from this site only.
(function () {
  var holder = document.getElementById("api-document");
  if (!holder || typeof SwaggerUIBundle !== "function") return;
  SwaggerUIBundle({
    url: holder.getAttribute("data-document"),
    dom_id: "#api-document",
    deepLinking: true,
    tryItOutEnabled: false,
    validatorUrl: null,
  });
})();
