//! The straight-line estimator.

use routing_graph::{Coord, EstimatorKind, RoutingError, StraightLine, TravelEstimator};

#[test]
fn haversine_times_detour_at_constant_speed() {
    let est = StraightLine::new(1.3, 36.0);
    let (a, b) = (Coord::new(9.52, 47.14), Coord::new(9.52, 47.15));
    let r = est.route(a, b).expect("route");
    let straight = a.haversine_m(b);
    assert!((r.distance_m - straight * 1.3).abs() < 1e-6);
    assert!((r.duration_s - r.distance_m / 10.0).abs() < 1e-6); // 36 km/h = 10 m/s
    assert_eq!(r.estimator, EstimatorKind::StraightLine);
    assert_eq!(r.geometry, vec![a, b]);

    let m = est.matrix(&[a, b], &[b]).expect("matrix");
    assert_eq!(m.estimator, EstimatorKind::StraightLine);
    assert_eq!(m.duration(0, 0), r.duration_s);
    assert_eq!(m.distance(1, 0), 0.0);
}

#[test]
fn straight_line_rejects_invalid_coordinates() {
    let est: Box<dyn TravelEstimator> = Box::new(StraightLine::default());
    let err = est
        .matrix(&[Coord::new(9.5, 47.1)], &[Coord::new(47.1, 190.0)])
        .err();
    assert!(
        matches!(
            err,
            Some(RoutingError::MatrixPoint {
                side: "target",
                index: 0,
                ..
            })
        ),
        "{err:?}"
    );
    assert_eq!(est.kind().as_str(), "straight_line");
}
