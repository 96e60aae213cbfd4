use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::ui::{ErrorNotice, PageHeader, CARD_CLASSES};
use crate::server_fns::{get_current_actor, list_tokens, AppError};

/// The signed-in user's start page: who they are, and where to go next.
#[component]
pub fn OverviewPage() -> impl IntoView {
    let actor = Resource::new(|| (), |_| get_current_actor());
    let tokens = Resource::new(|| (), |_| list_tokens());

    view! {
        <Title text="Overview" />
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let actor = match actor.await {
                    Ok(Some(actor)) => actor,
                    Ok(None) => {
                        return view! { <ErrorNotice error=AppError::SignedOut /> }
                            .into_any();
                    }
                    Err(error) => return view! { <ErrorNotice error /> }.into_any(),
                };
                let live_tokens = tokens
                    .await
                    .map(|tokens| tokens.iter().filter(|token| token.revoked_at.is_none()).count())
                    .unwrap_or_default();
                view! {
                    <PageHeader
                        title="Overview"
                        summary=format!("Signed in as {} ({}) of {}.", actor.username, actor.role, actor.org_name)
                    />
                    <div class="grid gap-4 sm:grid-cols-2" data-testid="overview">
                        <div class=CARD_CLASSES>
                            <h2 class="text-sm font-semibold uppercase tracking-wide text-slate-500">
                                "Your organisation"
                            </h2>
                            <p class="mt-2 text-lg font-medium">{actor.org_name.clone()}</p>
                            <p class="mt-1 text-sm text-slate-500">
                                "Org id " <code>{actor.org_id.to_string()}</code>
                            </p>
                        </div>
                        <div class=CARD_CLASSES>
                            <h2 class="text-sm font-semibold uppercase tracking-wide text-slate-500">
                                "API tokens"
                            </h2>
                            <p class="mt-2 text-lg font-medium">{live_tokens} " active"</p>
                            <a href="/tokens" class="mt-1 inline-block text-sm text-indigo-700 hover:underline">
                                "Manage tokens"
                            </a>
                        </div>
                    </div>
                }
                    .into_any()
            })}
        </Suspense>
    }
}
