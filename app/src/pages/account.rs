use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::feedback::use_feedback;
use crate::components::ui::NewPasswordField;
use crate::components::ui::{
    ErrorNotice, FormError, PageHeader, BUTTON_CLASSES, CARD_CLASSES, INPUT_CLASSES, LABEL_CLASSES,
};
use crate::domain::notifications::EmailSettings;
use crate::server_fns::users::{get_email_settings, ChangeOwnPassword, SaveEmailSettings};

/// The signed-in user's own account: change their password, choose which emails they get.
#[component]
pub fn AccountPage() -> impl IntoView {
    let change = ServerAction::<ChangeOwnPassword>::new();
    use_feedback(change);
    let query = use_query_map();
    let done = move || {
        matches!(change.value().get(), Some(Ok(()))) || query.read().get("changed").is_some()
    };

    view! {
        <Title text="Your account" />
        <PageHeader
            title="Your account"
            summary="Change the password you sign in with, and choose which emails you get."
        />
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
        <EmailSection />
    }
}

/// Each email category as a checkbox; the form works without JavaScript.
#[component]
fn EmailSection() -> impl IntoView {
    let save = ServerAction::<SaveEmailSettings>::new();
    let settings = Resource::new(move || save.version().get(), |_| get_email_settings());
    use_feedback(save);
    let query = use_query_map();
    let saved = move || {
        matches!(save.value().get(), Some(Ok(_))) || query.read().get("email_saved").is_some()
    };

    view! {
        <section class=format!("{CARD_CLASSES} mt-6 max-w-md") data-testid="email-settings">
            <h2 id="email-settings" class="text-base font-semibold">"Email"</h2>
            <Transition fallback=|| view! { <p class="mt-3 text-sm text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(settings) => view! { <EmailForm settings save /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
            <FormError action=save />
            <Show when=saved>
                <p role="status" class="mt-3 text-sm text-green-800" data-testid="email-saved">
                    "Your email settings are saved."
                </p>
            </Show>
        </section>
    }
}

#[component]
fn EmailForm(settings: EmailSettings, save: ServerAction<SaveEmailSettings>) -> impl IntoView {
    let EmailSettings { email_configured, address, categories } = settings;
    view! {
        {(!email_configured)
            .then(|| {
                view! {
                    <p role="note" class="mt-2 text-sm text-amber-800" data-testid="email-off">
                        "Email is off on this server: you are told in the app only. What you choose here applies once it is turned on."
                    </p>
                }
            })}
        <p class="mt-2 text-sm text-slate-600">
            "Emails go to " <span class="font-medium">{address}</span> ". Untick what you do not want by email; you still see it under Notifications."
        </p>
        <ActionForm action=save attr:class="mt-3 space-y-3">
            <fieldset class="space-y-2">
                <legend class="sr-only">"Email me when"</legend>
                {categories
                    .into_iter()
                    .map(|setting| {
                        let name = setting.category.as_str();
                        let id = format!("email-{name}");
                        view! {
                            <div class="flex items-start gap-2">
                                <input
                                    id=id.clone()
                                    name=name
                                    type="checkbox"
                                    value="on"
                                    checked=setting.on
                                    class="mt-0.5"
                                />
                                <label for=id class="text-sm">
                                    {setting.description}
                                </label>
                            </div>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <button type="submit" class=BUTTON_CLASSES disabled=move || save.pending().get()>
                {move || if save.pending().get() { "Saving…" } else { "Save email settings" }}
            </button>
        </ActionForm>
    }
}
