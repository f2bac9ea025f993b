/** S3 lake writer (Parquet via embedded DuckDB, then PutObject to the lake bucket). */
export { S3LakeWriter, PARQUET_CONTENT_TYPE, type S3LakeWriterOptions } from './s3-lake-writer';
