//! OSRM-compatible routing: `GET /route/v1/{profile}/{coordinates}` and
//! `GET /table/v1/{profile}/{coordinates}` (public, like OSRM; errors in OSRM's own shape).

use super::{array, object, path_param, public, query_param, schema_ref, Doc};
use serde_json::{json, Value};

fn osrm_errors(codes: &[(&str, &str)]) -> Value {
    let mut out = json!({});
    for (status, description) in codes {
        out[*status] = json!({"description": description,
            "content": {"application/json": {"schema": schema_ref("OsrmError")}}});
    }
    out
}

fn waypoint() -> Value {
    object(
        &["location"],
        json!({"location": {"type": "array", "items": {"type": "number"}, "description": "[lon, lat] snapped to the road graph"},
            "name": {"type": "string"}, "distance": {"type": "number", "description": "metres from the input coordinate"},
            "hint": {"type": "string"}}),
    )
}

fn common_params() -> Vec<Value> {
    vec![
        path_param(
            "profile",
            json!({"type": "string", "example": "driving"}),
            "any profile name is served by the car graph",
        ),
        path_param(
            "coordinates",
            json!({"type": "string", "example": "7.4166,43.7319;7.4246,43.7396"}),
            "`lon,lat;lon,lat...` (OSRM's `.json` suffix optional)",
        ),
    ]
}

/// Add the OSRM-compatible area.
pub fn describe(doc: &mut Doc) {
    doc.schema(
        "OsrmError",
        object(
            &["code", "message"],
            json!({"code": {"type": "string", "description": "OSRM code: InvalidQuery, InvalidOptions, NoSegment, NoRoute, TooBig, TooManyRequests"},
                "message": {"type": "string"}}),
        ),
    );
    let errors = [
        (
            "400",
            "invalid coordinates or options, no road graph loaded, or no route (OSRM code)",
        ),
        ("429", "more than 600 requests per minute from this address"),
    ];
    let mut route_params = common_params();
    route_params.extend([
        query_param(
            "geometries",
            json!({"type": "string", "enum": ["polyline", "polyline6", "geojson"]}),
            "geometry encoding (default polyline)",
        ),
        query_param(
            "overview",
            json!({"type": "string", "enum": ["simplified", "full", "false"]}),
            "include the route geometry (simplified and full both give the full geometry)",
        ),
        query_param(
            "steps",
            json!({"type": "boolean"}),
            "accepted; no turn-by-turn steps",
        ),
        query_param(
            "alternatives",
            json!({"type": "boolean"}),
            "accepted; one route",
        ),
    ]);
    let leg = object(
        &["duration", "distance"],
        json!({"duration": {"type": "number"}, "distance": {"type": "number"}, "weight": {"type": "number"},
            "summary": {"type": "string"}, "steps": {"type": "array"}}),
    );
    let route = object(
        &["duration", "distance", "legs"],
        json!({"duration": {"type": "number", "description": "seconds"}, "distance": {"type": "number", "description": "metres"},
            "weight": {"type": "number"}, "weight_name": {"type": "string"}, "legs": array(leg),
            "geometry": {"description": "encoded polyline string, or a GeoJSON LineString"}}),
    );
    let mut route_op = public(
        json!({"tags": ["osrm"], "summary": "Fastest route through the coordinates (OSRM's route service)",
        "parameters": route_params, "responses": osrm_errors(&errors)}),
    );
    route_op["responses"]["200"] = json!({"description": "OSRM route response", "content": {"application/json": {"schema":
        object(&["code", "routes", "waypoints"], json!({"code": {"type": "string", "enum": ["Ok"]}, "routes": array(route), "waypoints": array(waypoint())}))}}});
    doc.add("/route/v1/{profile}/{coordinates}", "get", route_op);

    let mut table_params = common_params();
    let indices = json!({"type": "string", "example": "0;1"});
    table_params.extend([
        query_param("sources", indices.clone(), "`all` or `i;j;...` indices into the coordinates"),
        query_param("destinations", indices, "`all` or `i;j;...` indices into the coordinates"),
        query_param(
            "annotations",
            json!({"type": "string", "enum": ["duration", "distance", "duration,distance", "distance,duration"]}),
            "which matrices (default duration)",
        ),
    ]);
    let matrix =
        json!({"type": "array", "items": {"type": "array", "items": {"type": ["number", "null"]}}});
    let mut table_op = public(
        json!({"tags": ["osrm"], "summary": "Travel-time and distance matrix (OSRM's table service)",
        "parameters": table_params, "responses": osrm_errors(&errors)}),
    );
    table_op["responses"]["200"] = json!({"description": "OSRM table response", "content": {"application/json": {"schema":
        object(&["code", "sources", "destinations"], json!({"code": {"type": "string", "enum": ["Ok"]},
            "durations": matrix.clone(), "distances": matrix,
            "sources": array(waypoint()), "destinations": array(waypoint())}))}}});
    doc.add("/table/v1/{profile}/{coordinates}", "get", table_op);
}
