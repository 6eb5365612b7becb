export { Distiller, type DistillSpec, type DistillTap, type DistillTerm } from './distiller.js';
export { ProjectionHead, type HeadKind } from './heads.js';
export { TeacherCache, type TeacherCacheOptions } from './cache.js';
export { hashModel, tfjsTeacher, type Teacher, type TfjsTeacherOptions } from './teacher.js';
export { onnxTeacher, type OnnxTeacherOptions } from './onnx-teacher.js';
