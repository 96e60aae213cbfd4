use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::ui::NewPasswordField;
use crate::components::ui::{BUTTON_CLASSES, CARD_CLASSES, INPUT_CLASSES, LABEL_CLASSES};
use crate::domain::identity::Password;
use crate::server_fns::users::password_link_username;

/// The public page of a one-time set-password link: whose it is, and a plain form posted to
/// `/set-password` (works without JavaScript), which signs nobody in but leads to the login.
#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let owner = Resource::new(token, password_link_username);
    let message = move || {
        query.read().get("error").map(|code| match code.as_str() {
            "mismatch" => "The two passwords differ. Type the same password twice.".to_owned(),
            "weak" => format!(
                "That password is too weak: use at least {} characters, not all the same.",
                Password::MIN_LENGTH
            ),
            "gone" => "This link has been used, has expired or is not valid.".to_owned(),
            _ => "Setting the password failed on our side. Try again in a moment.".to_owned(),
        })
    };

    view! {
        <Title text="Set your password" />
        <section class="mx-auto max-w-sm">
            <h1 class="mb-6 text-2xl font-bold tracking-tight">"Set your password"</h1>
            {move || {
                message()
                    .map(|text| {
                        view! {
                            <p
                                role="alert"
                                data-testid="set-password-error"
                                class="mb-4 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800"
                            >
                                {text}
                            </p>
                        }
                    })
            }}
            <Suspense fallback=|| view! { <p class="text-slate-500">"Checking the link…"</p> }>
                {move || Suspend::new(async move {
                    match owner.await {
                        Ok(username) => view! { <SetPasswordForm token=token() username /> }.into_any(),
                        Err(_) => view! {
                            <div role="alert" data-testid="link-gone" class="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">
                                "This link has been used, has expired or is not valid. Ask an admin of your organisation for a new one."
                            </div>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn SetPasswordForm(token: String, username: String) -> impl IntoView {
    view! {
        <form method="post" action="/set-password" class=format!("{CARD_CLASSES} space-y-4")>
            <p class="text-sm text-slate-600">
                "For the account " <strong data-testid="link-username">{username.clone()}</strong>
                ". This link works once."
            </p>
            <input type="hidden" name="token" value=token />
            <input type="text" name="username" autocomplete="username" value=username hidden />
            <NewPasswordField name="password" label="New password" />
            <div>
                <label for="confirm-password" class=LABEL_CLASSES>"The same again"</label>
                <input
                    id="confirm-password"
                    name="confirm"
                    type="password"
                    autocomplete="new-password"
                    required
                    class=format!("{INPUT_CLASSES} mt-1")
                />
            </div>
            <button type="submit" class=format!("{BUTTON_CLASSES} w-full")>"Set password"</button>
        </form>
    }
}
