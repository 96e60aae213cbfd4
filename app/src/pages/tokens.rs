use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::feedback::{use_feedback, Confirm, CopyField};
use crate::components::ui::{
    DataTable, EmptyState, ErrorNotice, LocalTime, PageHeader, BADGE_GREEN_CLASSES,
    BADGE_GREY_CLASSES, BUTTON_CLASSES, CARD_CLASSES, DANGER_BUTTON_CLASSES, INPUT_CLASSES,
    LABEL_CLASSES, TD_CLASSES,
};
use crate::domain::identity::{NewToken, TokenSummary};
use crate::server_fns::{list_tokens, take_new_token, CreateToken, RevokeToken};

/// API tokens of the signed-in user: create (secret shown once), list, revoke.
#[component]
pub fn TokensPage() -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let tokens =
        Resource::new(move || (create.version().get(), revoke.version().get()), |_| list_tokens());
    // A token created by a form posted without JavaScript comes back through the session.
    let kept_token = Resource::new(|| (), |_| take_new_token());
    use_feedback(create);
    use_feedback(revoke);
    // A secret still on show goes once its token is revoked: it no longer works.
    let revoking = StoredValue::new(None::<String>);
    let revoked = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| {
        if let Some(input) = revoke.input().get() {
            revoking.set_value(Some(input.id));
        }
    });
    Effect::new(move |_| {
        if revoke.version().get() > 0 && matches!(revoke.value().get_untracked(), Some(Ok(()))) {
            if let Some(id) = revoking.get_value() {
                revoked.update(|all| all.push(id));
            }
        }
    });
    let live =
        move |token: &NewToken| !revoked.with(|all| all.contains(&token.token.id.to_string()));

    view! {
        <Title text="API tokens" />
        <PageHeader
            title="API tokens"
            summary="Tokens let programs use Sharewell's APIs as you, with at most your role: send one as `Authorization: Bearer <token>`. A read-only token may look but not change anything; an expired one is refused like a revoked one."
        />

        <section class=format!("{CARD_CLASSES} mb-6")>
            <h2 class="text-base font-semibold">"Create a token"</h2>
            <ActionForm action=create attr:class="mt-3 flex flex-col gap-3 sm:flex-row sm:items-end">
                <div class="flex-1">
                    <label for="token-name" class=LABEL_CLASSES>
                        "Name"
                    </label>
                    <input
                        id="token-name"
                        name="name"
                        type="text"
                        required
                        maxlength="100"
                        placeholder="e.g. billing sync"
                        class=format!("{INPUT_CLASSES} mt-1")
                    />
                </div>
                <div>
                    <label for="token-expiry" class=LABEL_CLASSES>
                        "Expires after (days)"
                    </label>
                    <input
                        id="token-expiry"
                        name="expires_in_days"
                        type="number"
                        min="1"
                        max="3650"
                        placeholder="never"
                        class=format!("{INPUT_CLASSES} mt-1 w-32")
                    />
                </div>
                <label class="flex items-center gap-2 pb-2 text-sm">
                    <input type="checkbox" name="read_only" value="yes" />
                    "Read-only"
                </label>
                <button type="submit" class=BUTTON_CLASSES disabled=move || create.pending().get()>
                    {move || if create.pending().get() { "Creating…" } else { "Create token" }}
                </button>
            </ActionForm>
            {move || match create.value().get() {
                Some(Ok(token)) if live(&token) => view! { <NewTokenNotice token /> }.into_any(),
                Some(Ok(_)) => ().into_any(),
                Some(Err(error)) => {
                    view! {
                        <p role="alert" class="mt-3 text-sm text-red-700">
                            {error.to_string()}
                        </p>
                    }
                        .into_any()
                }
                None => ().into_any(),
            }}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    kept_token.await.ok().flatten().map(|token| {
                        move || live(&token).then(|| view! { <NewTokenNotice token=token.clone() /> })
                    })
                })}
            </Suspense>
        </section>

        <Transition fallback=|| view! { <p class="text-slate-500">"Loading tokens…"</p> }>
            {move || Suspend::new(async move {
                match tokens.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(tokens) if tokens.is_empty() => {
                        view! {
                            <EmptyState
                                title="No tokens yet"
                                hint="Create one above to call the APIs from a script or another service."
                            />
                        }
                            .into_any()
                    }
                    Ok(tokens) => view! { <TokenTable tokens revoke /> }.into_any(),
                }
            })}
        </Transition>
        {move || {
            revoke
                .value()
                .get()
                .and_then(Result::err)
                .map(|error| view! { <ErrorNotice error /> })
        }}
    }
}

#[component]
fn NewTokenNotice(token: NewToken) -> impl IntoView {
    view! {
        <div role="status" class="mt-4 rounded-md border border-green-200 bg-green-50 p-3 text-sm">
            <p class="font-medium text-green-900">
                "Token “" {token.token.name} "” created. Copy it now: it will not be shown again."
            </p>
            <CopyField value=token.secret label="the token's secret" test_id="new-token-secret" />
        </div>
    }
}

#[component]
fn TokenTable(tokens: Vec<TokenSummary>, revoke: ServerAction<RevokeToken>) -> impl IntoView {
    view! {
        <DataTable
            test_id="token-table"
            headers=&["Name", "Created", "Last used", "Can", "Expires", "Status", ""]
        >
                    {tokens
                        .into_iter()
                        .map(|token| {
                            let live = token.revoked_at.is_none() && !token.expired;
                            view! {
                                <tr>
                                    <td class=TD_CLASSES>{token.name.clone()}</td>
                                    <td class=TD_CLASSES><LocalTime stored=token.created_at.clone() /></td>
                                    <td class=TD_CLASSES>
                                        {match token.last_used_at.clone() { Some(at) => view! { <LocalTime stored=at /> }.into_any(), None => "never".into_any() }}
                                    </td>
                                    <td class=TD_CLASSES>
                                        {if token.read_only { "read only" } else { "read and write" }}
                                    </td>
                                    <td class=TD_CLASSES>
                                        {match token.expires_at.clone() { Some(at) => view! { <LocalTime stored=at /> }.into_any(), None => "never".into_any() }}
                                    </td>
                                    <td class=TD_CLASSES>
                                        {if live {
                                            view! { <span class=BADGE_GREEN_CLASSES>"active"</span> }.into_any()
                                        } else if token.revoked_at.is_some() {
                                            view! { <span class=BADGE_GREY_CLASSES>"revoked"</span> }.into_any()
                                        } else {
                                            view! { <span class=BADGE_GREY_CLASSES>"expired"</span> }.into_any()
                                        }}
                                    </td>
                                    <td class=format!("{TD_CLASSES} text-right")>
                                        {live.then(|| {
                                            let id = token.id.to_string();
                                            view! {
                                                <Confirm
                                                    action="Revoke…"
                                                    object=format!("token {}", token.name)
                                                    consequence="Programs using this token are refused at once. This cannot be undone."
                                                >
                                                    <ActionForm action=revoke>
                                                        <input type="hidden" name="id" value=id />
                                                        <button
                                                            type="submit"
                                                            class=DANGER_BUTTON_CLASSES
                                                            aria-label=format!("Revoke the token {}", token.name)
                                                        >
                                                            "Revoke the token"
                                                        </button>
                                                    </ActionForm>
                                                </Confirm>
                                            }
                                        })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
        </DataTable>
    }
}
