//! The browser entry point: hydrates the server-rendered page.
//!
//! The pages are lazily loaded routes (`app::routes`), so hydration waits for the current
//! page's module before it walks the page; `data-hydrated` is set once it has.

use leptos::prelude::document;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let Some(body) = document().body() else { return };
    wasm_bindgen_futures::spawn_local(async move {
        leptos::mount::hydrate_from_async(body.clone(), app::App).await.forget();
        // Lets browser tests (and curious people) tell a live page from server-rendered HTML.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
