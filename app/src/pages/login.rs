use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::auth::safe_next;
use crate::components::ui::{BUTTON_CLASSES, CARD_CLASSES, INPUT_CLASSES, LABEL_CLASSES};

/// The sign-in form. A plain HTML form posted to `/login`, so it works without JavaScript;
/// the server answers with a redirect to the wanted page, or back here with `error=…`.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || safe_next(&query.read().get("next").unwrap_or_default()).to_owned();
    let message = move || {
        query.read().get("error").map(|code| match code.as_str() {
            "invalid" => "The username or password is not right. Check both and try again.",
            "throttled" => "Too many sign-in attempts. Wait a minute, then try again.",
            _ => "Signing in failed on our side. Try again in a moment.",
        })
    };
    let signed_out = move || query.read().get("signed_out").is_some();
    let password_set = move || query.read().get("password_set").is_some();

    view! {
        <Title text="Sign in" />
        <section class="mx-auto max-w-sm">
            <h1 class="mb-6 text-2xl font-bold tracking-tight">"Sign in to Sharewell"</h1>
            <Show when=signed_out>
                <p role="status" class="mb-4 rounded-md bg-green-50 p-3 text-sm text-green-800">
                    "You have signed out."
                </p>
            </Show>
            <Show when=password_set>
                <p role="status" class="mb-4 rounded-md bg-green-50 p-3 text-sm text-green-800">
                    "Your password is set. Sign in with it now."
                </p>
            </Show>
            {move || {
                message()
                    .map(|text| {
                        view! {
                            <p
                                role="alert"
                                data-testid="login-error"
                                class="mb-4 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800"
                            >
                                {text}
                            </p>
                        }
                    })
            }}
            <form method="post" action="/login" class=format!("{CARD_CLASSES} space-y-4")>
                <input type="hidden" name="next" value=next />
                <div>
                    <label for="username" class=LABEL_CLASSES>
                        "Username"
                    </label>
                    <input
                        id="username"
                        name="username"
                        type="text"
                        autocomplete="username"
                        required
                        class=format!("{INPUT_CLASSES} mt-1")
                    />
                </div>
                <div>
                    <label for="password" class=LABEL_CLASSES>
                        "Password"
                    </label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                        class=format!("{INPUT_CLASSES} mt-1")
                    />
                </div>
                <button type="submit" class=format!("{BUTTON_CLASSES} w-full")>
                    "Sign in"
                </button>
            </form>
        </section>
    }
}
