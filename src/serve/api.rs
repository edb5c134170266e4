//! The JSON API: `/api/search`, `/api/facets`, `/api/brief`.
//!
//! Each answers with the JSON of the matching command, written the same
//! way (one line), so a tool can switch between the CLI and the server:
//! `/api/search` is `briefs search --format json` (with a `timeline` field
//! added when `timeline=1` is asked), `/api/facets` is `briefs facets
//! --format json` and `/api/brief` is `briefs show --format json`.
//! Errors are `{"error": "..."}` with status 400 (bad parameters or query),
//! 404 (no such brief or API) or 500 (an unreadable index).

use serde::Serialize;

use super::http::Response;
use super::params::{decode_pairs, Params, API_DEFAULTS};
use super::{brief_key, find_brief, App, Failure};
use crate::search::timeline::Timeline;
use crate::search::SearchResults;

/// One JSON line, as the CLI writes it.
fn json<T: Serialize>(status: u16, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(mut body) => {
            body.push(b'\n');
            Response::new(status, "application/json", body)
        }
        Err(e) => error(&Failure::new(500, format!("encoding the answer failed: {e}"))),
    }
}

/// An error as JSON.
pub fn error(failure: &Failure) -> Response {
    #[derive(Serialize)]
    struct Error<'a> {
        error: &'a str,
    }
    let mut body = serde_json::to_vec(&Error {
        error: &failure.message,
    })
    .unwrap_or_else(|_| b"{\"error\":\"unknown\"}".to_vec());
    body.push(b'\n');
    Response::new(failure.status, "application/json", body)
}

fn answer(result: Result<Response, Failure>) -> Response {
    result.unwrap_or_else(|failure| error(&failure))
}

/// `/api/search`: the parameters of `briefs search`, its JSON.
pub fn search(app: &App, query: &str) -> Response {
    answer((|| -> Result<Response, Failure> {
        let params = Params::parse(query, API_DEFAULTS)?;
        let (generation, _) = app.live.get();
        let outcome = app.run(&generation, &params)?;
        Ok(match &outcome.timeline {
            Some(timeline) => json(
                200,
                &WithTimeline {
                    results: &outcome.results,
                    timeline,
                },
            ),
            None => json(200, &outcome.results),
        })
    })())
}

/// The search JSON with the timeline beside its fields.
#[derive(Serialize)]
struct WithTimeline<'a> {
    #[serde(flatten)]
    results: &'a SearchResults,
    timeline: &'a Timeline,
}

/// `/api/facets`: `facet` (country, region, actor; repeatable), `top` and
/// `match`, as `briefs facets` takes them.
pub fn facets(app: &App, query: &str) -> Response {
    answer((|| -> Result<Response, Failure> {
        let mut dims: Vec<String> = Vec::new();
        let mut top: Option<usize> = None;
        let mut needle: Option<String> = None;
        for (key, value) in decode_pairs(query)? {
            let value = value.trim().to_string();
            match key.as_str() {
                "facet" => match value.as_str() {
                    "country" | "region" | "actor" => dims.push(value),
                    "" => {}
                    _ => {
                        return Err(Failure::new(
                            400,
                            format!("facet {value:?}: expected country, region or actor"),
                        ))
                    }
                },
                "top" if value.is_empty() => {}
                "top" => match value.parse::<usize>() {
                    Ok(n) if n >= 1 => top = Some(n),
                    _ => {
                        return Err(Failure::new(
                            400,
                            format!("top {value:?}: expected a whole number from 1"),
                        ))
                    }
                },
                "match" if value.chars().count() > 200 => {
                    return Err(Failure::new(400, "match is longer than 200 characters"))
                }
                "match" if !value.is_empty() => needle = Some(value.to_lowercase()),
                "match" => {}
                _ => {
                    return Err(Failure::new(
                        400,
                        format!("unknown parameter {key:?}; parameters are facet, top, match"),
                    ))
                }
            }
        }
        let (generation, _) = app.live.get();
        let all = generation.index_facets()?;
        let gazetteer = match needle {
            Some(_) => Some(generation.gazetteer(&app.corpus)?),
            None => None,
        };
        let mut kept: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        let values: Vec<_> = all
            .iter()
            .filter(|v| dims.is_empty() || dims.contains(&v.facet))
            .filter(|v| match (&needle, gazetteer) {
                (Some(n), Some(g)) => {
                    v.value.to_lowercase().contains(n.as_str())
                        || g.actor_aliases(&v.value)
                            .iter()
                            .any(|a| a.to_lowercase().contains(n.as_str()))
                }
                _ => true,
            })
            .filter(|v| {
                let n = kept.entry(v.facet.as_str()).or_insert(0);
                *n += 1;
                top.is_none_or(|top| *n <= top)
            })
            .collect();
        Ok(json(200, &values))
    })())
}

/// `/api/brief?path=PATH`: one brief as `briefs show --format json` gives it.
pub fn brief(app: &App, query: &str) -> Response {
    answer((|| -> Result<Response, Failure> {
        let mut path: Option<String> = None;
        for (key, value) in decode_pairs(query)? {
            match key.as_str() {
                "path" if path.is_some() => return Err(Failure::new(400, "parameter path is given twice")),
                "path" => path = Some(value),
                _ => {
                    return Err(Failure::new(
                        400,
                        format!("unknown parameter {key:?}; the parameter is path"),
                    ))
                }
            }
        }
        let key = brief_key(path.as_deref().unwrap_or_default(), false)?;
        let (generation, _) = app.live.get();
        let (record, passages, title) = find_brief(app, &generation, &key)?;
        Ok(json(200, &crate::output::brief_view(&record, &passages, &title)))
    })())
}
