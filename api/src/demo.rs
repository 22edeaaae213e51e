//! Demo data: a Monaco field-service company with users for every role, technicians and
//! ~150 work orders for today and tomorrow at sites on the Monaco road network. Idempotent:
//! the organisation is created once; work orders are added for a day that has none.

use crate::db::{self, records::Scope};
use crate::domain::resources::{
    Resource, RuleCtx, ASSETS, CUSTOMERS, SITES, TECHNICIANS, WORK_ORDERS,
};
use crate::domain::roles::Role;
use crate::domain::work_order;
use crate::provision;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use routing_graph::{Coord, RoadGraph};
use serde_json::{json, Map, Value};
use sqlx::PgPool;
use uuid::Uuid;

/// Slug of the demo organisation.
pub const DEMO_SLUG: &str = "demo";
/// Password of every demo user.
pub const DEMO_PASSWORD: &str = "fieldpath-demo";
/// Work orders added per day.
pub const ORDERS_PER_DAY: usize = 75;

/// What seeding did.
#[derive(Debug)]
pub struct DemoSummary {
    /// The demo organisation.
    pub org_id: Uuid,
    /// Whether the organisation was created now.
    pub created: bool,
    /// Work orders added now.
    pub work_orders_added: usize,
    /// Login e-mails and roles.
    pub users: Vec<(String, &'static str)>,
}

/// Points on streets of Monaco (La Condamine, Monte-Carlo, Fontvieille, Monaco-Ville,
/// Larvotto, Moneghetti), lat/lon.
const ANCHORS: &[(f64, f64)] = &[
    (43.73960, 7.42770),
    (43.73880, 7.42000),
    (43.74200, 7.42900),
    (43.74050, 7.42350),
    (43.74100, 7.42600),
    (43.72820, 7.41550),
    (43.72760, 7.41560),
    (43.73350, 7.41900),
    (43.73530, 7.41960),
    (43.74600, 7.43300),
    (43.74800, 7.43700),
    (43.73450, 7.41350),
    (43.73400, 7.41500),
    (43.73350, 7.41600),
    (43.73250, 7.41400),
    (43.73300, 7.41750),
    (43.74250, 7.43200),
    (43.74400, 7.43400),
    (43.74850, 7.43950),
    (43.73100, 7.42250),
    (43.73700, 7.42350),
    (43.74380, 7.42950),
];

const SKILLS: &[&str] = &[
    "hvac",
    "electrical",
    "plumbing",
    "elevator",
    "fire_safety",
    "networking",
];
const MODELS: &[&str] = &[
    "Daikin VRV IV",
    "Otis Gen2",
    "Schneider Prisma",
    "Grundfos CR 15",
    "Siemens Cerberus",
    "Cisco C9300",
];
const FIRST: &[&str] = &[
    "Luca", "Chiara", "Marc", "Sofia", "Hugo", "Elena", "Paul", "Giulia", "Louis", "Anna",
    "Matteo", "Claire", "Jules", "Marta", "Enzo",
];
const LAST: &[&str] = &[
    "Rossi", "Giraud", "Bianchi", "Lefebvre", "Moretti", "Durand", "Ricci", "Blanc", "Conti",
    "Faure",
];
const COMPANIES: &[&str] = &[
    "Hôtel",
    "Résidence",
    "Banque",
    "Clinique",
    "Galerie",
    "Yacht Services",
    "Immobilière",
    "Restaurant",
];
const NAMES: &[&str] = &[
    "Azur",
    "Grimaldi",
    "Monte-Carlo",
    "Larvotto",
    "Condamine",
    "Fontvieille",
    "Riviera",
    "Hercule",
    "Saint-Roman",
    "Moneghetti",
];

/// A point on a road: jitter around an anchor, snapped to the graph when there is one.
fn site_point(rng: &mut ChaCha8Rng, graph: Option<&RoadGraph>) -> (f64, f64) {
    for _ in 0..20 {
        let (lat, lon) = ANCHORS[rng.random_range(0..ANCHORS.len())];
        let lat = lat + rng.random_range(-0.0003..0.0003);
        let lon = lon + rng.random_range(-0.0004..0.0004);
        match graph {
            None => return (lat, lon),
            Some(g) => {
                if let Ok(s) = g.snap(Coord { lon, lat }) {
                    if s.distance_m < 150.0 {
                        return (s.location.lat, s.location.lon);
                    }
                }
            }
        }
    }
    ANCHORS[0]
}

async fn insert(
    pool: &PgPool,
    res: &'static Resource,
    org_id: Uuid,
    graph: Option<&RoadGraph>,
    value: Value,
) -> anyhow::Result<Uuid> {
    let Value::Object(mut fields) = value else {
        anyhow::bail!("demo record is not an object")
    };
    if let Some(rule) = res.rule {
        rule(
            &RuleCtx {
                role: Role::Admin,
                before: None,
                graph,
            },
            &mut fields,
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let mut tx = pool.begin().await?;
    if std::ptr::eq(res, &WORK_ORDERS) {
        let seq = db::orgs::next_work_order_seq(&mut tx, org_id).await?;
        fields.insert("seq".into(), Value::from(seq));
        fields.insert("number".into(), Value::from(work_order::number(seq)));
    }
    let row = db::records::insert(&mut tx, res, org_id, &fields).await?;
    tx.commit().await?;
    let id = row.get("id").and_then(Value::as_str).unwrap_or_default();
    Ok(Uuid::parse_str(id)?)
}

/// Seeds the demo organisation (see module docs) with work orders for `today` and the day after.
pub async fn seed(
    pool: &PgPool,
    graph: Option<&RoadGraph>,
    today: NaiveDate,
) -> anyhow::Result<DemoSummary> {
    let users = ["admin", "dispatcher", "agent", "technician", "customer"]
        .iter()
        .map(|r| (format!("{r}@demo.fieldpath.test"), *r))
        .collect::<Vec<_>>();
    let (org_id, created) = match db::orgs::by_slug(pool, DEMO_SLUG).await? {
        Some(id) => (id, false),
        None => (create_org(pool, graph).await?, true),
    };
    crate::desk::kb::demo::seed(pool, org_id).await?;
    let scope = Scope {
        org_id,
        customer: None,
    };
    let spec = |column: &'static str, limit: i64| db::lists::ListSpec {
        conditions: vec![],
        sort: (column, false),
        limit,
        offset: 0,
        exact_total: false,
    };
    let (sites, _) = db::lists::list(pool, &SITES, &scope, &spec("created_at", 200)).await?;
    let mut added = 0;
    for (offset, day) in [today, today + Duration::days(1)].into_iter().enumerate() {
        let existing: (i64,) = sqlx::query_as(
            "SELECT count(*) FROM work_orders WHERE org_id = $1 AND (window_start AT TIME ZONE 'UTC')::date = $2",
        )
        .bind(org_id)
        .bind(day)
        .fetch_one(pool)
        .await?;
        if existing.0 > 0 {
            continue;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(
            day.to_string().bytes().map(u64::from).sum::<u64>() + offset as u64,
        );
        for _ in 0..ORDERS_PER_DAY {
            let site = &sites[rng.random_range(0..sites.len())];
            add_work_order(pool, org_id, graph, &mut rng, site, day, offset == 0).await?;
            added += 1;
        }
    }
    added += crate::dashboard::seed::seed_history(pool, org_id, graph, today).await?;
    Ok(DemoSummary {
        org_id,
        created,
        work_orders_added: added,
        users,
    })
}

async fn create_org(pool: &PgPool, graph: Option<&RoadGraph>) -> anyhow::Result<Uuid> {
    let org_id = provision::organisation(pool, "Monaco Field Services (demo)", DEMO_SLUG).await?;
    let mut rng = ChaCha8Rng::seed_from_u64(377);
    let mut first_customer = None;
    for c in 0..20 {
        let name = format!(
            "{} {}",
            COMPANIES[c % COMPANIES.len()],
            NAMES[(c * 3 + c / 8) % NAMES.len()]
        );
        let email = format!("contact{c}@customer.example");
        let customer = insert(pool, &CUSTOMERS, org_id, graph, json!({"name": name, "email": email, "phone": format!("+377 93 {:02} {:02} {:02}", c, c * 3 % 100, c * 7 % 100)})).await?;
        first_customer.get_or_insert(customer);
        for s in 0..3 {
            let (lat, lon) = site_point(&mut rng, graph);
            let site = insert(
                pool,
                &SITES,
                org_id,
                graph,
                json!({"customer_id": customer, "name": format!("{name} — site {}", s + 1), "address": format!("{} Monaco", 1 + rng.random_range(0..40)), "lat": lat, "lon": lon}),
            )
            .await?;
            let model = MODELS[rng.random_range(0..MODELS.len())];
            let warranty = Utc::now().date_naive() + Duration::days(rng.random_range(-400..900));
            insert(pool, &ASSETS, org_id, graph, json!({"site_id": site, "model": model, "serial": format!("SN-{:06}", rng.random_range(0..999_999)), "warranty_until": warranty.to_string()})).await?;
        }
    }
    let mut first_tech = None;
    for t in 0..15 {
        let mut skills: Vec<Value> = vec![];
        for (i, skill) in SKILLS.iter().enumerate() {
            if (t + i) % 3 == 0 || rng.random_bool(0.2) {
                skills.push(json!({"skill": skill, "level": rng.random_range(1..=5)}));
            }
        }
        let mut hours = Map::new();
        for day in ["mon", "tue", "wed", "thu", "fri"] {
            hours.insert(day.into(), json!([{"start": "08:00", "end": "17:00"}]));
        }
        if t % 4 == 0 {
            hours.insert("sat".into(), json!([{"start": "09:00", "end": "13:00"}]));
        }
        let (home_lat, home_lon) = site_point(&mut rng, graph);
        let name = format!("{} {}", FIRST[t], LAST[t % LAST.len()]);
        let tech = insert(
            pool,
            &TECHNICIANS,
            org_id,
            graph,
            json!({"name": name, "email": format!("tech{t}@demo.fieldpath.test"), "skills": skills, "working_hours": hours, "home_lat": home_lat, "home_lon": home_lon, "max_jobs_per_day": rng.random_range(6..=10)}),
        )
        .await?;
        first_tech.get_or_insert(tech);
    }
    for role in Role::ALL {
        let email = format!("{}@demo.fieldpath.test", role.as_str());
        let customer = (role == Role::Customer).then_some(first_customer).flatten();
        let user = provision::user(
            pool,
            org_id,
            &email,
            &format!("Demo {}", role.as_str()),
            role,
            DEMO_PASSWORD,
            customer,
        )
        .await?;
        if role == Role::Technician {
            if let Some(tech) = first_tech {
                sqlx::query("UPDATE technicians SET user_id = $1 WHERE org_id = $2 AND id = $3")
                    .bind(user.id)
                    .bind(org_id)
                    .bind(tech)
                    .execute(pool)
                    .await?;
            }
        }
    }
    Ok(org_id)
}

async fn add_work_order(
    pool: &PgPool,
    org_id: Uuid,
    graph: Option<&RoadGraph>,
    rng: &mut ChaCha8Rng,
    site: &Value,
    day: NaiveDate,
    is_today: bool,
) -> anyhow::Result<()> {
    let work_type = work_order::WORK_TYPES[rng.random_range(0..4)];
    let priority = match rng.random_range(0..20) {
        0 => "urgent",
        1..=4 => "high",
        5..=13 => "medium",
        _ => "low",
    };
    let skill = SKILLS[rng.random_range(0..SKILLS.len())];
    // Windows in UTC: 07:00–17:00 (08:00–18:00 in Monaco in winter).
    let start_hour = rng.random_range(7..14);
    let length = rng.random_range(2..=4);
    let start = Utc.from_utc_datetime(&day.and_hms_opt(start_hour, 0, 0).unwrap_or_default());
    let end = start + Duration::hours(length);
    let status = if is_today || rng.random_bool(0.6) {
        "scheduled"
    } else {
        "draft"
    };
    let duration = [30, 45, 60, 90, 120][rng.random_range(0..5)];
    let title = format!("{} — {}", capitalise(work_type), skill.replace('_', " "));
    insert(
        pool,
        &WORK_ORDERS,
        org_id,
        graph,
        json!({
            "title": title,
            "description": format!("{} at {}", capitalise(work_type), site.get("name").and_then(Value::as_str).unwrap_or("site")),
            "work_type": work_type,
            "priority": priority,
            "status": status,
            "customer_id": site.get("customer_id"),
            "site_id": site.get("id"),
            "window_start": start.to_rfc3339(),
            "window_end": end.to_rfc3339(),
            "estimated_duration_min": duration,
            "required_skills": [{"skill": skill, "level": rng.random_range(1..=3)}],
        }),
    )
    .await?;
    Ok(())
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}
