//! The pickers' one combobox: a text field that, with JavaScript, lists matches from a
//! server-side search as one types (arrows move, Enter or a click picks, Escape closes), in
//! the ARIA combobox pattern. Without JavaScript it is the plain field it started as, so the
//! form around it still works: a search form, or a field one types a name into.

use std::future::Future;

use leptos::prelude::*;

use super::ui::{INPUT_CLASSES, LABEL_CLASSES};

/// One match a combobox offers: the text it puts in the field, what the option shows, and a
/// hint beside it (an org's id, a person's org).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub hint: Option<String>,
}

/// A person found by a people picker, as a choice: the username, with their org beside it.
pub fn person_choice(person: crate::domain::files::PersonMatch) -> Choice {
    Choice { value: person.username.clone(), label: person.username, hint: Some(person.org_name) }
}

/// The search text of a field: all of it, or in a list field its last comma-separated entry.
fn search_text(field: &str, list: bool) -> &str {
    if list {
        field.rsplit(',').next().unwrap_or_default().trim()
    } else {
        field.trim()
    }
}

/// The field after picking `value`: the value, or in a list field the earlier entries with
/// the last one replaced by the value, ready for the next.
fn with_pick(field: &str, value: &str, list: bool) -> String {
    if !list {
        return value.to_owned();
    }
    let earlier: Vec<&str> = field
        .rsplit_once(',')
        .map(|(earlier, _)| earlier.split(',').map(str::trim).filter(|e| !e.is_empty()).collect())
        .unwrap_or_default();
    let mut entries = earlier;
    entries.push(value);
    format!("{}, ", entries.join(", "))
}

/// A labelled combobox named `name`. `search` finds the choices for the text typed; picking
/// one fills the field (`list`: completes its last comma-separated entry) and, if given, calls
/// `on_pick` (the partner picker adds the org right away).
#[component]
pub fn Combobox<S, F>(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    search: S,
    #[prop(optional)] placeholder: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] list: bool,
    #[prop(optional)] required: bool,
    #[prop(optional)] on_pick: Option<Callback<Choice>>,
) -> impl IntoView
where
    S: Fn(String) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Vec<Choice>> + 'static,
{
    let typed = RwSignal::new(value.clone());
    let options = RwSignal::new(Vec::<Choice>::new());
    let open = RwSignal::new(false);
    let active = RwSignal::new(None::<usize>);
    let options_id = format!("{id}-options");
    let option_id = move |at: usize| format!("{id}-option-{at}");

    let look_up = move |field: String| {
        typed.set(field.clone());
        active.set(None);
        let text = search_text(&field, list).to_owned();
        if text.is_empty() {
            options.set(Vec::new());
            open.set(false);
            return;
        }
        let search = search.clone();
        leptos::task::spawn_local(async move {
            let found = search(text).await;
            // A slower answer to an older query must not replace a newer one.
            if typed.get_untracked() == field {
                open.set(true);
                options.set(found);
            }
        });
    };
    let pick = move |choice: Choice| {
        open.set(false);
        active.set(None);
        typed.update(|field| *field = with_pick(field, &choice.value, list));
        if let Some(on_pick) = on_pick {
            on_pick.run(choice);
        }
    };
    let on_key = move |event: leptos::ev::KeyboardEvent| {
        let count = options.with_untracked(Vec::len);
        match event.key().as_str() {
            "ArrowDown" if count > 0 => {
                event.prevent_default();
                open.set(true);
                active.update(|at| *at = Some(at.map_or(0, |at| (at + 1) % count)));
            }
            "ArrowUp" if count > 0 => {
                event.prevent_default();
                open.set(true);
                active.update(|at| *at = Some(at.map_or(count - 1, |at| (at + count - 1) % count)));
            }
            "Enter" => {
                let chosen = active
                    .get_untracked()
                    .filter(|_| open.get_untracked())
                    .and_then(|at| options.with_untracked(|all| all.get(at).cloned()));
                if let Some(choice) = chosen {
                    event.prevent_default();
                    pick(choice);
                }
            }
            "Escape" => {
                open.set(false);
                active.set(None);
            }
            _ => {}
        }
    };
    let expanded = move || (open.get() && !options.with(Vec::is_empty)).to_string();
    let descendant = move || active.get().map(option_id);

    view! {
        <div class="relative min-w-0 flex-1">
            <label for=id class=LABEL_CLASSES>{label}</label>
            <input
                id=id
                name=name
                type="text"
                autocomplete="off"
                required=required
                role="combobox"
                aria-autocomplete="list"
                aria-controls=options_id.clone()
                aria-expanded=expanded
                aria-activedescendant=descendant
                placeholder=placeholder
                class=format!("{INPUT_CLASSES} mt-1")
                value=value
                prop:value=move || typed.get()
                on:input=move |event| look_up(event_target_value(&event))
                on:keydown=on_key
                on:blur=move |_| open.set(false)
            />
            <ul
                id=options_id
                role="listbox"
                aria-label="Suggestions"
                data-testid=format!("{id}-options")
                class="absolute z-10 mt-1 max-h-64 w-full overflow-auto rounded-md border border-slate-200 bg-white py-1 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900"
                hidden=move || expanded() != "true"
            >
                {move || {
                    options
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(at, choice)| {
                            let chosen = choice.clone();
                            let selected = move || (active.get() == Some(at)).to_string();
                            let class = move || {
                                if active.get() == Some(at) {
                                    "cursor-pointer px-3 py-2 bg-indigo-50 text-indigo-900"
                                } else {
                                    "cursor-pointer px-3 py-2"
                                }
                            };
                            view! {
                                <li
                                    id=option_id(at)
                                    role="option"
                                    aria-selected=selected
                                    class=class
                                    on:mousedown=move |event| {
                                        // Before the field's blur closes the list.
                                        event.prevent_default();
                                        pick(chosen.clone());
                                    }
                                >
                                    {choice.label}
                                    {choice.hint.map(|hint| view! { <span class="ml-2 text-xs text-slate-500">{hint}</span> })}
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_field_searches_and_completes_its_last_entry() {
        assert_eq!(search_text("alice, bo", true), "bo");
        assert_eq!(search_text(" alice ", false), "alice");
        assert_eq!(with_pick("alice, bo", "bob", true), "alice, bob, ");
        assert_eq!(with_pick("bo", "bob", true), "bob, ");
        assert_eq!(with_pick(",, alice,,bo", "bob", true), "alice, bob, ");
        assert_eq!(with_pick("Glo", "Globex", false), "Globex");
    }
}
