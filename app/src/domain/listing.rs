//! How a long list is ordered, filtered by status and cut into pages, as the pages' query
//! parameters ask (`?sort=name&dir=asc&status=active&per_page=50`). Each list names its own
//! fixed set of sort keys and statuses; anything else is refused as invalid (a 400), never
//! passed on to the store.

use serde::{Deserialize, Serialize};

use super::DomainError;

/// The page sizes a list offers (each list's default among them).
pub const PER_PAGE_CHOICES: [i64; 5] = [10, 20, 25, 50, 100];

/// Which way a sorted list runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SortDir {
    #[default]
    Asc,
    Desc,
}

impl SortDir {
    pub fn as_str(self) -> &'static str {
        match self {
            SortDir::Asc => "asc",
            SortDir::Desc => "desc",
        }
    }

    /// The other way.
    pub fn flipped(self) -> Self {
        match self {
            SortDir::Asc => SortDir::Desc,
            SortDir::Desc => SortDir::Asc,
        }
    }

    /// `asc` or `desc`; empty is `None` (the list's default).
    pub fn parse(text: &str) -> Result<Option<Self>, DomainError> {
        match text.trim() {
            "" => Ok(None),
            "asc" => Ok(Some(SortDir::Asc)),
            "desc" => Ok(Some(SortDir::Desc)),
            _ => Err(DomainError::invalid("dir", "must be asc or desc")),
        }
    }

    /// The SQL keyword for this direction (`ORDER BY … ASC`).
    pub fn sql(self) -> &'static str {
        match self {
            SortDir::Asc => "ASC",
            SortDir::Desc => "DESC",
        }
    }

    /// The `aria-sort` value of a column sorted this way.
    pub fn aria(self) -> &'static str {
        match self {
            SortDir::Asc => "ascending",
            SortDir::Desc => "descending",
        }
    }
}

/// The query parameters of a sortable list, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub dir: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub per_page: String,
}

/// A list's checked order, status filter and page size.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListChoice<K> {
    pub key: K,
    pub dir: SortDir,
    /// One of the list's statuses; `None` for all.
    pub status: Option<&'static str>,
    pub per_page: i64,
}

/// What a list may be sorted by and filtered to.
pub struct ListSpec<K: 'static> {
    /// `(query value, key, the direction it starts in)`; the first is the default.
    pub keys: &'static [(&'static str, K, SortDir)],
    pub statuses: &'static [&'static str],
    pub default_per_page: i64,
}

impl<K: Copy> ListSpec<K> {
    /// Checks `params` against the list's fixed choices.
    pub fn parse(&self, params: &ListParams) -> Result<ListChoice<K>, DomainError> {
        let sort = params.sort.trim();
        let (_, key, default_dir) = if sort.is_empty() {
            self.keys[0]
        } else {
            *self.keys.iter().find(|(name, ..)| *name == sort).ok_or_else(|| {
                let names: Vec<&str> = self.keys.iter().map(|(name, ..)| *name).collect();
                DomainError::invalid("sort", format!("must be one of {}", names.join(", ")))
            })?
        };
        let dir = SortDir::parse(&params.dir)?.unwrap_or(default_dir);
        let status = match params.status.trim() {
            "" | "all" => None,
            _ if self.statuses.is_empty() => {
                return Err(DomainError::invalid(
                    "status",
                    "must be empty: this list has no status",
                ))
            }
            text => {
                Some(*self.statuses.iter().find(|status| **status == text).ok_or_else(|| {
                    DomainError::invalid(
                        "status",
                        format!("must be one of all, {}", self.statuses.join(", ")),
                    )
                })?)
            }
        };
        let per_page = match params.per_page.trim() {
            "" => self.default_per_page,
            text => {
                text.parse::<i64>().ok().filter(|size| PER_PAGE_CHOICES.contains(size)).ok_or_else(
                    || DomainError::invalid("per_page", "must be 10, 20, 25, 50 or 100"),
                )?
            }
        };
        Ok(ListChoice { key, dir, status, per_page })
    }

    /// The query value of a key.
    pub fn name_of(&self, key: K) -> &'static str
    where
        K: PartialEq,
    {
        self.keys.iter().find(|(_, k, _)| *k == key).map_or("", |(name, ..)| name)
    }
}

/// The sort keys of the account share lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AccountShareSort {
    Created,
    Name,
    Expiry,
    Status,
}

/// Account shares: newest first unless asked otherwise.
pub const ACCOUNT_SHARE_LIST: ListSpec<AccountShareSort> = ListSpec {
    keys: &[
        ("created", AccountShareSort::Created, SortDir::Desc),
        ("name", AccountShareSort::Name, SortDir::Asc),
        ("expiry", AccountShareSort::Expiry, SortDir::Asc),
        ("status", AccountShareSort::Status, SortDir::Asc),
    ],
    statuses: &["active", "expired", "deleting", "deleted"],
    default_per_page: 20,
};

/// The sort keys of the partners list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PartnerSort {
    Name,
    Updated,
    Users,
    Shared,
    Offered,
}

/// Partners: by name unless asked otherwise; counts and changes start with the largest and
/// newest. The statuses are the partner's: its org is on Sharewell or not yet.
pub const PARTNER_LIST: ListSpec<PartnerSort> = ListSpec {
    keys: &[
        ("name", PartnerSort::Name, SortDir::Asc),
        ("updated", PartnerSort::Updated, SortDir::Desc),
        ("users", PartnerSort::Users, SortDir::Desc),
        ("shared", PartnerSort::Shared, SortDir::Desc),
        ("offered", PartnerSort::Offered, SortDir::Desc),
    ],
    statuses: &["registered", "unregistered"],
    default_per_page: 20,
};

/// The sort keys of the access request lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RequestSort {
    Asked,
    File,
    Status,
}

/// Access requests: the newest first unless asked otherwise.
pub const REQUEST_LIST: ListSpec<RequestSort> = ListSpec {
    keys: &[
        ("asked", RequestSort::Asked, SortDir::Desc),
        ("file", RequestSort::File, SortDir::Asc),
        ("status", RequestSort::Status, SortDir::Asc),
    ],
    statuses: &["pending", "approved", "declined"],
    default_per_page: 20,
};

/// The sort keys of a person's file and app shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FileShareSort {
    Shared,
    Item,
    /// The other person: the recipient of a sent share, the owner of a received one.
    Person,
    Access,
}

/// File and app shares: the newest first unless asked otherwise. They have no status.
pub const FILE_SHARE_LIST: ListSpec<FileShareSort> = ListSpec {
    keys: &[
        ("shared", FileShareSort::Shared, SortDir::Desc),
        ("item", FileShareSort::Item, SortDir::Asc),
        ("person", FileShareSort::Person, SortDir::Asc),
        ("access", FileShareSort::Access, SortDir::Asc),
    ],
    statuses: &[],
    default_per_page: 20,
};

/// The sort keys of the users list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UserSort {
    Created,
    Name,
    Status,
}

/// Users: oldest first unless asked otherwise (as the list has always been).
pub const USER_LIST: ListSpec<UserSort> = ListSpec {
    keys: &[
        ("created", UserSort::Created, SortDir::Asc),
        ("name", UserSort::Name, SortDir::Asc),
        ("status", UserSort::Status, SortDir::Asc),
    ],
    statuses: &["active", "deactivated"],
    default_per_page: 25,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn params(sort: &str, dir: &str, status: &str, per_page: &str) -> ListParams {
        ListParams {
            sort: sort.into(),
            dir: dir.into(),
            status: status.into(),
            per_page: per_page.into(),
        }
    }

    #[test]
    fn empty_parameters_give_the_lists_default() {
        let choice = ACCOUNT_SHARE_LIST.parse(&ListParams::default()).unwrap();
        assert_eq!(choice.key, AccountShareSort::Created);
        assert_eq!(choice.dir, SortDir::Desc);
        assert_eq!(choice.status, None);
        assert_eq!(choice.per_page, 20);
    }

    #[test]
    fn each_lists_default_page_size_may_also_be_asked_for() {
        for size in [
            ACCOUNT_SHARE_LIST.default_per_page,
            USER_LIST.default_per_page,
            PARTNER_LIST.default_per_page,
            REQUEST_LIST.default_per_page,
            FILE_SHARE_LIST.default_per_page,
        ] {
            let asked = params("", "", "", &size.to_string());
            assert_eq!(ACCOUNT_SHARE_LIST.parse(&asked).unwrap().per_page, size);
            assert_eq!(USER_LIST.parse(&asked).unwrap().per_page, size);
        }
    }

    #[test]
    fn known_values_are_taken_and_unknown_ones_refused_by_field() {
        let choice = USER_LIST.parse(&params("name", "desc", "deactivated", "50")).unwrap();
        assert_eq!(
            (choice.key, choice.dir, choice.status, choice.per_page),
            (UserSort::Name, SortDir::Desc, Some("deactivated"), 50)
        );
        for (bad, field) in [
            (params("password", "", "", ""), "sort"),
            (params("name", "up", "", ""), "dir"),
            (params("", "", "gone", ""), "status"),
            (params("", "", "", "7"), "per_page"),
            (params("", "", "", "x"), "per_page"),
        ] {
            match USER_LIST.parse(&bad) {
                Err(DomainError::Invalid { field: named, .. }) => assert_eq!(named, field),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_list_without_statuses_refuses_any_status_but_all() {
        assert_eq!(FILE_SHARE_LIST.parse(&params("", "", "all", "")).unwrap().status, None);
        match FILE_SHARE_LIST.parse(&params("", "", "read", "")) {
            Err(DomainError::Invalid { field, .. }) => assert_eq!(field, "status"),
            other => panic!("{other:?}"),
        }
    }
}
