//! The attachment store: a local folder under the data dir, or S3 when configured.

use crate::config::Config;
use anyhow::Context;
use object_store::local::LocalFileSystem;
use object_store::ObjectStore;
use std::sync::Arc;

/// Opens the store the settings name.
pub fn open(config: &Config) -> anyhow::Result<Arc<dyn ObjectStore>> {
    if let Some(bucket) = &config.s3_bucket {
        return open_s3(bucket);
    }
    let dir = config.data_dir.join("attachments");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let store = LocalFileSystem::new_with_prefix(&dir)
        .with_context(|| format!("opening {}", dir.display()))?;
    Ok(Arc::new(store))
}

#[cfg(feature = "s3")]
fn open_s3(bucket: &str) -> anyhow::Result<Arc<dyn ObjectStore>> {
    let store = object_store::aws::AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .build()
        .context("S3 settings (AWS_* variables)")?;
    Ok(Arc::new(store))
}

#[cfg(not(feature = "s3"))]
fn open_s3(_bucket: &str) -> anyhow::Result<Arc<dyn ObjectStore>> {
    anyhow::bail!("FIELDPATH_S3_BUCKET is set but this binary was built without the `s3` feature (cargo build --features s3)")
}
