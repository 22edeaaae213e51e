//! Knowledge-base articles for the demo organisation, so the portal has something to show.

use super::article::{Content, NewArticle};
use super::categories::{self, CategoryFields, CategoryInput};
use super::store;
use sqlx::PgPool;
use uuid::Uuid;

/// (category name, [(title, tags, body)]).
type Section = (
    &'static str,
    &'static [(&'static str, &'static [&'static str], &'static str)],
);

const SECTIONS: &[Section] = &[
    (
        "Heating and air conditioning",
        &[
            (
                "Air conditioning blows warm air",
                &["hvac", "cooling"],
                "If your split unit blows warm air, check these first:\n\n- the remote is set to **Cool** (snowflake symbol);\n- the set temperature is below the room temperature;\n- the filters are clean: open the front panel, slide them out, rinse them with lukewarm water and let them dry before refitting.\n\nIf the outdoor unit is silent or shows a blinking light, note the error code and open a ticket: a technician will check the refrigerant pressure and the compressor.",
            ),
            (
                "Reading the error codes of a Daikin VRV unit",
                &["hvac", "daikin", "error-code"],
                "The indoor unit's remote shows a letter and a digit when the system stops. A3 means the condensate drain is blocked, U4 a communication fault between indoor and outdoor units, E3 a high-pressure trip.\n\nA3 can often be cleared by emptying the drain tray. For U4 and E3, switch the unit off at the isolator for five minutes; if the code comes back, open a ticket with the code and the unit's serial number.",
            ),
        ],
    ),
    (
        "Lifts and elevators",
        &[(
            "What to do when a lift stops between floors",
            &["elevator", "safety"],
            "Press the alarm button in the car and keep passengers calm: the car is held by its brakes and safety gear and cannot fall.\n\nDo not try to open the doors or to get people out yourself. Our emergency line answers around the clock and a technician is dispatched at once.\n\nAfter the rescue, the lift stays out of service until the technician has found and fixed the cause.",
        )],
    ),
    (
        "Electrical",
        &[
            (
                "Resetting a tripped circuit breaker",
                &["electrical", "breaker"],
                "Open the distribution board and look for the breaker whose lever is down or in the middle position.\n\nSwitch off the appliances on that circuit, push the lever fully down and then up again. If it trips again at once, leave it off and open a ticket: there is a fault on the circuit.\n\nA residual-current device (the one with a test button) that trips repeatedly points to an earth leakage; do not bypass it.",
            ),
            (
                "Fire alarm panel shows a fault",
                &["fire-safety", "siemens"],
                "A yellow Fault light on a Siemens Cerberus panel is not a fire alarm: it reports a detector, a cable or the battery.\n\nPress Acknowledge to silence the buzzer and read the zone on the display. Keep the building occupied as usual, and open a ticket with the zone number so that we can plan a visit within the contractual time.",
            ),
        ],
    ),
    (
        "Your account and visits",
        &[(
            "How visits are planned",
            &["visits", "planning"],
            "When you open a ticket that needs a technician, the help desk turns it into a work order. The dispatcher plans it into a technician's route with the skills it needs and within the time window you chose.\n\nYou can follow the ticket in the customer portal: every public reply from the help desk shows up there and you can answer it directly.",
        )],
    ),
];

/// Adds the demo categories and published articles once (nothing when the organisation already
/// has categories). Answers how many articles were added.
pub async fn seed(pool: &PgPool, org_id: Uuid) -> anyhow::Result<usize> {
    if !categories::list(pool, org_id, false).await?.is_empty() {
        return Ok(0);
    }
    let mut added = 0;
    for (position, (name, articles)) in SECTIONS.iter().enumerate() {
        let fields = CategoryFields::new(&CategoryInput {
            name: Some((*name).into()),
            position: Some(position as i32),
            ..Default::default()
        })
        .map_err(|e| anyhow::anyhow!(e.message))?;
        let category = categories::insert(pool, org_id, &fields).await?;
        for (title, tags, body) in articles.iter() {
            let content = Content::new(NewArticle {
                title: (*title).into(),
                slug: None,
                body: (*body).into(),
                status: Some("published".into()),
                category_id: Some(category),
                tags: tags.iter().map(|t| t.to_string()).collect(),
                locale: Some("en".into()),
            })
            .map_err(|e| anyhow::anyhow!(e.message))?;
            let mut tx = pool.begin().await?;
            store::insert(&mut tx, org_id, &content, None).await?;
            tx.commit().await?;
            added += 1;
        }
    }
    Ok(added)
}
