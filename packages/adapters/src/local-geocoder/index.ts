/** Offline geocoder (district centroids bundled as JSON). No network, no AWS. */
export { LocalCentroidGeocoder, createLocalCentroidGeocoder } from './local-centroid-geocoder';
