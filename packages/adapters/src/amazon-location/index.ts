/** Amazon Location Service adapters. Imported by Lambda bundles; no local files. */
export {
  AmazonLocationGeocoder,
  createAmazonLocationGeocoder,
  precisionOf,
  type AmazonLocationGeocoderOptions,
} from './amazon-location-geocoder';
