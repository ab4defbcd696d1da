//! Paged Queries of one partition, in sort-key order, that never end a page with a cursor to
//! nothing and are not cut short by a filter.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::conditions::Item;
use crate::keys::{self, PK, SK};
use crate::{Store, StoreError};

/// Queries a page may take when a filter leaves items out: a page of left groups or removed
/// members costs more reads, never an empty page with more to come.
const MAX_QUERIES: usize = 5;

pub(crate) struct PageQuery {
    pub pk: String,
    pub sk_prefix: &'static str,
    /// The sort key the page starts after.
    pub after_sk: Option<String>,
    pub limit: usize,
    /// Items left out (read, not returned).
    pub filter: Option<&'static str>,
}

pub(crate) struct PageItems {
    pub items: Vec<Item>,
    /// More may follow, after this sort key.
    pub next_after_sk: Option<String>,
}

impl Store {
    pub(crate) async fn query_page(&self, query: PageQuery) -> Result<PageItems, StoreError> {
        let mut items: Vec<Item> = Vec::new();
        let mut start = query.after_sk.clone();
        for _ in 0..MAX_QUERIES {
            // One item more than asked tells whether another page follows, so the last page
            // never ends with a cursor to an empty page.
            let wanted = query.limit + 1 - items.len();
            let mut request = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expression_attribute_names("#pk", PK)
                .expression_attribute_names("#sk", SK)
                .expression_attribute_values(":pk", AttributeValue::S(query.pk.clone()))
                .expression_attribute_values(
                    ":prefix",
                    AttributeValue::S(query.sk_prefix.to_owned()),
                )
                .set_exclusive_start_key(
                    start
                        .as_ref()
                        .map(|sk| keys::key(query.pk.clone(), sk.clone())),
                )
                .limit(i32::try_from(wanted).unwrap_or(i32::MAX))
                // Something stored a moment ago is listed at once (the contract says so).
                .consistent_read(true);
            if let Some(filter) = query.filter {
                request = request.filter_expression(filter);
            }
            let output = request.send().await.map_err(StoreError::from_sdk)?;
            items.extend(output.items.unwrap_or_default());
            let evaluated_to = output
                .last_evaluated_key
                .and_then(|mut key| key.remove(SK))
                .and_then(|sk| sk.as_s().ok().cloned());
            if items.len() > query.limit {
                items.truncate(query.limit);
                let last = items
                    .last()
                    .and_then(|i| i.get(SK))
                    .and_then(|sk| sk.as_s().ok());
                return Ok(PageItems {
                    next_after_sk: last.cloned(),
                    items,
                });
            }
            match evaluated_to {
                None => {
                    return Ok(PageItems {
                        items,
                        next_after_sk: None,
                    });
                }
                Some(sk) => start = Some(sk),
            }
        }
        // Still more after a few filtered reads: a shorter page, continuing where reading stopped.
        Ok(PageItems {
            items,
            next_after_sk: start,
        })
    }
}
