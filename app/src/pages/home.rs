use leptos::prelude::*;
use leptos_meta::Title;

/// The five wire-compatible APIs and where they are mounted.
const FACES: [(&str, &str, &str); 5] = [
    ("Partner sharing", "epilot Sharing API", "/v1/sharing/…"),
    ("File share", "Puter share endpoints", "/share"),
    ("Share info and requests", "Züs 0box API", "/v2/shareinfo, /v2/sharereq"),
    ("Expiring shares", "EnableNow Sharing API v1", "/v1/shares"),
    ("Resource sharing", "Cloudflare Resource Sharing", "/client/v4/…/shares"),
];

/// The start page for visitors (a signed-in person is sent on to the Overview by the server,
/// `server/src/web.rs`). The database's state is for operators, at `/readyz`.
#[component]
pub fn HomePage() -> impl IntoView {
    let (show_faces, set_show_faces) = signal(false);

    view! {
        <Title text="Welcome" />
        <section class="space-y-8">
            <div>
                <h1 class="text-3xl font-bold tracking-tight">"Welcome to Sharewell"</h1>
                <p class="mt-2 max-w-2xl text-slate-600">
                    "A self-hosted sharing service: organisations share with each other and with people, and Sharewell keeps one true record of who may see what."
                </p>
            </div>

            <div class="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
                <button
                    type="button"
                    data-testid="toggle-faces"
                    class="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2"
                    aria-expanded=move || show_faces.get().to_string()
                    aria-controls="faces"
                    on:click=move |_| set_show_faces.update(|shown| *shown = !*shown)
                >
                    {move || if show_faces.get() { "Hide the APIs" } else { "Show the APIs" }}
                </button>
                <Show when=move || show_faces.get()>
                    <ul id="faces" class="mt-4 divide-y divide-slate-100" data-testid="faces">
                        {FACES
                            .iter()
                            .map(|(name, modelled_on, mount)| {
                                view! {
                                    <li class="flex flex-col gap-1 py-2 sm:flex-row sm:items-center sm:justify-between">
                                        <span class="font-medium">{*name}</span>
                                        <span class="text-sm text-slate-500">{*modelled_on}</span>
                                        <code class="text-sm text-indigo-700">{*mount}</code>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </Show>
            </div>
        </section>
    }
}
