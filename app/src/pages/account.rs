use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::ui::NewPasswordField;
use crate::components::ui::{
    FormError, PageHeader, BUTTON_CLASSES, CARD_CLASSES, INPUT_CLASSES, LABEL_CLASSES,
};
use crate::server_fns::users::ChangeOwnPassword;

/// The signed-in user's own account: change their password.
#[component]
pub fn AccountPage() -> impl IntoView {
    let change = ServerAction::<ChangeOwnPassword>::new();
    let query = use_query_map();
    let done = move || {
        matches!(change.value().get(), Some(Ok(()))) || query.read().get("changed").is_some()
    };

    view! {
        <Title text="Your account" />
        <PageHeader title="Your account" summary="Change the password you sign in with." />
        <section class=format!("{CARD_CLASSES} max-w-md")>
            <h2 class="text-base font-semibold">"Change your password"</h2>
            <ActionForm action=change attr:class="mt-3 space-y-4">
                <div>
                    <label for="current-password" class=LABEL_CLASSES>"Current password"</label>
                    <input
                        id="current-password"
                        name="current_password"
                        type="password"
                        autocomplete="current-password"
                        required
                        class=format!("{INPUT_CLASSES} mt-1")
                    />
                </div>
                <NewPasswordField name="new_password" label="New password" />
                <button type="submit" class=BUTTON_CLASSES disabled=move || change.pending().get()>
                    {move || if change.pending().get() { "Saving…" } else { "Change password" }}
                </button>
            </ActionForm>
            <FormError action=change />
            <Show when=done>
                <p role="status" class="mt-3 text-sm text-green-800" data-testid="password-changed">
                    "Your password is changed."
                </p>
            </Show>
        </section>
    }
}
