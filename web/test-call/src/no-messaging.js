// The Chime SDK imports its messaging client (Node-only dependencies), which meetings never
// use: the test page's bundle gets this empty module in its place.
export {};
