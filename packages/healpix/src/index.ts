export { HealpixError, FitsError } from './errors.js';
export {
  MAX_NSIDE, UNSEEN, checkNside, isNpixOk, isNsideOk, isPowerOfTwo, npix2nside, nside2npix, nside2order, nside2pixarea,
  nside2resol, order2nside, type FloatArray, type Ordering, type SchemeOptions,
} from './nside.js';
export {
  allRings, ang2pix, ang2vec, neighbours, nest2ring, pix2ang, pix2ring, pix2vec, pix2xyf, reorder, reorderTable, ring2nest,
  ringInfo, vec2ang, vec2pix, xyf2pix, type RingInfo,
} from './pixel.js';
export { isUnseen, udGrade, type UdGradeOptions } from './udgrade.js';
export {
  face2img, faceIndex, faces2map, img2face, map2faces, padFace, padFaces, padIndex, type CornerFill, type FaceOptions,
  type PadIndex, type PadOptions,
} from './faces.js';
export {
  alm2cl, almFromInterleaved, almIndex, almLmax, almSize, almToInterleaved, almxfl, cloneAlm, createAlm, gaussBeam,
  type Alm, type Alm2clOptions, type AlmxflOptions,
} from './alm.js';
export { alm2map, map2alm, type Alm2mapOptions, type Map2almOptions } from './sht.js';
export {
  anafast, smoothing, synalm, synfast, type AnafastOptions, type BeamOptions, type RandomOptions, type SmoothingOptions,
  type SynalmOptions, type SynfastOptions,
} from './spectra.js';
export { pixwin, type PixwinOptions } from './pixwin.js';
export { SeededRandom } from './random.js';
export { Fft, fftPlan } from './fft.js';
export {
  FitsHeader, parseFits, parseHealpixMap, readColumn, readHealpixMap, serializeHealpixMap, tableColumns, writeHealpixMap,
  type FitsCard, type FitsColumn, type FitsHdu, type FitsMapType, type FitsValue, type HealpixMapFile, type ReadHealpixOptions,
  type WriteHealpixOptions,
} from './fits.js';
