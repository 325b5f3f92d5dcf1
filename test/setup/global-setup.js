import {setup} from './postgres-global.js'
export default setup
