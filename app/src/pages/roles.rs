use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::feedback::{use_feedback, Confirm};
use crate::components::layout::{Can, Frame};
use crate::components::ui::{
    EmptyState, ErrorNotice, FormError, PageHeader, BUTTON_CLASSES, CARD_CLASSES,
    DANGER_BUTTON_CLASSES, INPUT_CLASSES, LABEL_CLASSES, SECONDARY_BUTTON_CLASSES,
};
use crate::domain::authz::Operation;
use crate::domain::partners::{RoleHolders, TemplateRole};
use crate::server_fns::partners::{roles_page, DeleteRole, SaveRole};

/// Template roles: what a partner's users may do once a role is assigned to them.
#[component]
pub fn RolesPage() -> impl IntoView {
    let save = ServerAction::<SaveRole>::new();
    let delete = ServerAction::<DeleteRole>::new();
    let roles =
        Resource::new(move || (save.version().get(), delete.version().get()), |_| roles_page());
    use_feedback(save);
    use_feedback(delete);
    let frame = use_context::<Frame>();

    view! {
        <Title text="Roles" />
        <PageHeader
            title="Template roles"
            summary="Define a role once and assign it to partner configurations; its grants are copied at assignment."
        />
        <Can op=Operation::TemplateRolesChange>
            <section class=format!("{CARD_CLASSES} mb-6")>
                <h2 class="text-base font-semibold">"New role"</h2>
                <RoleForm action=save role=None />
            </section>
        </Can>
        <FormError action=delete />
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading roles…"</p> }>
            {move || Suspend::new(async move {
                // Read with the list, not by a `Can` in each card: a suspense inside the
                // list's own fails to hydrate.
                let may_change = match frame {
                    Some(frame) => frame.allows(Operation::TemplateRolesChange).await,
                    None => false,
                };
                match roles.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(view) if view.roles.is_empty() => view! {
                        <EmptyState title="No roles yet" hint="Create one above." />
                    }.into_any(),
                    Ok(view) => view! {
                        <div class="space-y-4" data-testid="roles">
                            {view.roles.into_iter().map(|role| {
                                let holders = view.holders.iter().find(|held| held.role_id == role.id).copied();
                                view! { <RoleCard role holders may_change save delete /> }
                            }).collect_view()}
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn RoleCard(
    role: TemplateRole,
    holders: Option<RoleHolders>,
    may_change: bool,
    save: ServerAction<SaveRole>,
    delete: ServerAction<DeleteRole>,
) -> impl IntoView {
    let id = role.id.to_string();
    let name = role.name.clone();
    let consequence = match holders {
        Some(RoleHolders { partners, people, .. }) => format!(
            "Held by {} through {}: they keep the grants it gave them, but it can no longer be assigned. This cannot be undone.",
            plural(people, "person", "people"),
            plural(partners, "partner", "partners"),
        ),
        None => "Nobody holds it: it is assigned to no partner. This cannot be undone.".to_owned(),
    };
    let body = if may_change {
        view! { <RoleForm action=save role=Some(role.clone()) /> }.into_any()
    } else {
        view! { <pre class="mt-3 font-mono text-sm text-slate-700">{grants_text(&role)}</pre> }
            .into_any()
    };
    view! {
        <section class=CARD_CLASSES>
            <div class="flex flex-wrap items-start justify-between gap-2">
                <h2 class="text-base font-semibold">{name.clone()}</h2>
                {may_change.then(|| view! {
                    <Confirm action="Delete…" object=format!("role {name}") consequence>
                        <ActionForm action=delete>
                            <input type="hidden" name="id" value=id />
                            <button type="submit" class=DANGER_BUTTON_CLASSES aria-label=format!("Delete the role {name}")>"Delete the role"</button>
                        </ActionForm>
                    </Confirm>
                })}
            </div>
            {body}
        </section>
    }
}

/// `1 partner`, `3 partners`.
fn plural(count: i64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// Name and grants (one per line: `action resource [allow|deny]`); edits `role` when given.
#[component]
fn RoleForm(action: ServerAction<SaveRole>, role: Option<TemplateRole>) -> impl IntoView {
    let id = role.as_ref().map(|role| role.id.to_string()).unwrap_or_default();
    let field =
        |name: &str| format!("role-{name}-{}", if id.is_empty() { "new" } else { id.as_str() });
    let (name_id, grants_id) = (field("name"), field("grants"));
    let name = role.as_ref().map(|role| role.name.clone()).unwrap_or_default();
    let grants = role.as_ref().map(grants_text).unwrap_or_default();
    let button = if id.is_empty() { "Create role" } else { "Save" };
    let button_class = if id.is_empty() { BUTTON_CLASSES } else { SECONDARY_BUTTON_CLASSES };
    view! {
        <ActionForm action=action attr:class="mt-3 grid gap-3 md:grid-cols-3">
            <input type="hidden" name="id" value=id />
            <div>
                <label for=name_id.clone() class=LABEL_CLASSES>"Name"</label>
                <input id=name_id name="name" required value=name class=format!("{INPUT_CLASSES} mt-1") />
            </div>
            <div class="md:col-span-2">
                <label for=grants_id.clone() class=LABEL_CLASSES>"Grants, one per line: action resource [allow|deny]"</label>
                <textarea id=grants_id name="grants" rows="3" class=format!("{INPUT_CLASSES} mt-1 font-mono") placeholder="entity-read opportunity:* allow">{grants}</textarea>
            </div>
            <div><button type="submit" class=button_class>{button}</button></div>
        </ActionForm>
        <FormError action=action />
    }
}

/// A role's grants, one per line, as the form reads them.
fn grants_text(role: &TemplateRole) -> String {
    role.grants
        .iter()
        .map(|grant| match &grant.effect {
            Some(effect) => format!("{} {} {effect}", grant.action, grant.resource),
            None => format!("{} {}", grant.action, grant.resource),
        })
        .collect::<Vec<_>>()
        .join("\n")
}
