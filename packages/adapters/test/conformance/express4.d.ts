// Express 4, installed as "express4" (npm:express@4) so the conformance suite runs against it too.
declare module 'express4' {
  import express from 'express';
  export default express;
}
