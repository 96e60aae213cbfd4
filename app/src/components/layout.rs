use leptos::prelude::*;

/// Page frame: header with the product name, then the routed page.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <div class="min-h-full flex flex-col">
            <header class="border-b border-slate-200 bg-white">
                <div class="mx-auto flex max-w-5xl items-center justify-between px-4 py-3">
                    <a href="/" class="text-lg font-semibold tracking-tight text-indigo-700">
                        "Sharewell"
                    </a>
                </div>
            </header>
            <main class="mx-auto w-full max-w-5xl flex-1 px-4 py-8">{children()}</main>
            <footer class="border-t border-slate-200 py-4 text-center text-sm text-slate-500">
                "Sharewell — one true record of who may see what."
            </footer>
        </div>
    }
}
